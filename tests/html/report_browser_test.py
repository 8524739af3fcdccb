#!/usr/bin/env python3
"""The HTML report in a real browser: headless Chromium opens the demo report.

Generates the demo report with the built crm-router (demo/cache.jsonl imported
into a fresh database, then demo/demo.mbox imported with --report), then:
  (a) --dump-dom after the page script ran: 35 message rows, legend totals
      21 queued, 11 tossed, 2 duplicate, 1 quarantined, the SVG donut, no
      network element; the file itself has a CSP and no http(s):// URL;
  (b) drives Chromium over the DevTools protocol (--remote-debugging-pipe, so
      no port and no websocket): sorting by column headers, typing in the
      filter box, the outcome legend and select, expanding a row's decision
      detail by mouse and by keyboard; no script error, no console error, no
      request other than the report file itself;
  (c) --screenshot at 1280x900: a valid PNG that shows the donut colours;
  (d) with --sim: the demo imported and pushed to dataverse-sim with [crm] url
      set, the page at 1,400 px: the Regarding and Parties columns on screen in
      every row without a scroll bar of their own, each resolved record a link
      to main.aspx?etn=ENTITY&id=ID&pagetype=entityrecord on the CRM's host,
      pushed rows with their activity id, the quarantined row's error under it,
      the run id, the source column, the breakdown by reason filtering the table.
Screenshots are kept in --out (report.png, report-detail.png, report-1400.png,
report-1400-detail.png) for people.

Usage: report_browser_test.py --crm-router BIN --demo DIR --out DIR [--sim SIM]
Exit status: 0 passed; 1 failed; 77 skipped (no Chromium; CTest SKIP_RETURN_CODE).
Chromium is found as $CRMR_CHROMIUM, chromium, chromium-browser or google-chrome;
Debian: scripts/setup-deps chromium.
"""
import argparse
import base64
import fcntl
import html.parser
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77
DEMO_TOTALS = {'pushed': 0, 'queued': 21, 'duplicate': 2, 'tossed': 11, 'quarantined': 1,
               'failed': 0}
DEMO_MESSAGES = 35
# Donut and swatch colours of the outcomes the demo has (report_html_page.inc).
COLOURS = {'queued': (0x25, 0x63, 0xeb), 'duplicate': (0x7c, 0x3a, 0xed),
           'tossed': (0x8a, 0x94, 0xa3), 'quarantined': (0xd9, 0x60, 0x0b)}
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-quic', '--hide-scrollbars', '--window-size=1280,900']

failures = []


def check(ok, what):
    print(('ok    ' if ok else 'FAIL  ') + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def find_chromium():
    for name in [os.environ.get('CRMR_CHROMIUM', ''), 'chromium', 'chromium-browser',
                 'google-chrome', 'google-chrome-stable']:
        path = name and shutil.which(name)
        if path:
            return path
    return None


def make_report(crm_router, demo, out):
    db = os.path.join(out, 'demo.db')
    report = os.path.join(out, 'report.html')
    for f in (db, db + '.lock', report):
        if os.path.exists(f):
            os.remove(f)
    subprocess.run([crm_router, '--db', db, 'cache', 'import', os.path.join(demo, 'cache.jsonl')],
                   check=True, stdout=subprocess.DEVNULL)
    # Exit 1 is "some messages quarantined or failed": the demo quarantines one on purpose.
    rc = subprocess.run([crm_router, '--db', db, '--report', report, 'import',
                         os.path.join(demo, 'demo.mbox')], stdout=subprocess.DEVNULL).returncode
    if rc not in (0, 1) or not os.path.exists(report):
        raise SystemExit(f'crm-router import exited {rc} without writing {report}')
    return report


def embedded_messages(page):
    blocks = re.findall(r'<script type="application/json" class="report-rows">(.*?)</script>',
                        page, re.S)
    return [m for b in blocks for m in json.loads(b)]


def filter_matches(m, terms):
    """What the page's filter box matches: every term in one of these fields."""
    reg = m['regarding']['entity'] + '/' + m['regarding']['id'] if m.get('regarding') else ''
    parties = '; '.join(p['role'] + ': ' + p['address'] +
                        (' = ' + p['entity'] + '/' + (p.get('id') or '') if p.get('entity') else '')
                        for p in m['parties'])
    fields = [m.get(k) for k in ('source', 'position', 'message_id', 'key', 'date', 'from',
                                 'subject', 'outcome', 'reason', 'correlation')]
    fields += [reg, parties, m.get('error'), m.get('activity_id'), *m['warnings']]
    hay = '\n'.join('' if f is None else str(f) for f in fields).lower()
    return all(t in hay for t in terms)


def run_chromium(chromium, args, timeout=30):
    with tempfile.TemporaryDirectory(prefix='crmr-chromium-') as profile:
        return subprocess.run([chromium, *FLAGS, f'--user-data-dir={profile}', *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


# --- (a) the DOM after the page script ran -------------------------------------------------

class DomSummary(html.parser.HTMLParser):
    """Counts what the checks need in a dumped DOM."""

    def __init__(self):
        super().__init__()
        self.rows = 0
        self.donut = False
        self.segments = []
        self.legend = {}
        self.network = []  # elements that would load something
        self.count_text = ''
        self._legend_outcome = None
        self._in_b = False
        self._in_count = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get('class') or '').split()
        if tag == 'tr' and 'row' in cls:
            self.rows += 1
        if tag == 'svg' and 'donut' in cls:
            self.donut = True
        if tag == 'circle' and 'seg' in cls:
            self.segments.append(next(c[2:] for c in cls if c.startswith('o-')))
        if tag == 'button' and 'data-outcome' in a:
            self._legend_outcome = a['data-outcome']
        if tag == 'b' and self._legend_outcome:
            self._in_b = True
        if a.get('id') == 'count':
            self._in_count = True
        if tag in ('img', 'iframe', 'link', 'object', 'embed', 'video', 'audio', 'source') or \
                (tag == 'script' and 'src' in a):
            self.network.append(tag)
        for k, v in attrs:
            if k in ('src', 'href', 'srcset', 'action', 'data') and v and not v.startswith('#'):
                self.network.append(f'{tag} {k}={v}')

    def handle_endtag(self, tag):
        if tag == 'button':
            self._legend_outcome = None
        if tag == 'b':
            self._in_b = False
        if tag == 'span':
            self._in_count = False

    def handle_data(self, data):
        if self._in_b and self._legend_outcome:
            self.legend[self._legend_outcome] = int(data.replace(',', ''))
        if self._in_count:
            self.count_text += data


def check_dom(chromium, url):
    r = run_chromium(chromium, ['--virtual-time-budget=5000', '--dump-dom', url])
    check(r.returncode == 0, f'chromium --dump-dom exits 0 (got {r.returncode})')
    dom = DomSummary()
    dom.feed(r.stdout.decode('utf-8', 'replace'))
    check(dom.rows == DEMO_MESSAGES, f'the table has {DEMO_MESSAGES} message rows (got {dom.rows})')
    check(dom.legend == DEMO_TOTALS, f'the legend shows {DEMO_TOTALS} (got {dom.legend})')
    check(dom.donut, 'the SVG donut is there')
    want = [o for o, n in DEMO_TOTALS.items() if n]
    check(dom.segments == want, f'the donut has one segment per outcome present {want} '
                                f'(got {dom.segments})')
    check(dom.count_text == f'{DEMO_MESSAGES} of {DEMO_MESSAGES} messages',
          f'the count says "{DEMO_MESSAGES} of {DEMO_MESSAGES} messages" (got "{dom.count_text}")')
    check(not dom.network, f'no element loads anything (got {dom.network})')


# --- (b) interaction over the DevTools protocol --------------------------------------------

class Cdp:
    """The DevTools protocol over --remote-debugging-pipe: Chromium reads NUL-terminated
    JSON commands from its fd 3 and writes answers and events to its fd 4."""

    def __init__(self, argv, log):
        to_child, self._w = os.pipe()
        self._r, from_child = os.pipe()

        def child_fds():  # in the child, before exec: the pipe ends become fds 3 and 4
            hi_in = fcntl.fcntl(to_child, fcntl.F_DUPFD, 100)
            hi_out = fcntl.fcntl(from_child, fcntl.F_DUPFD, 100)
            os.dup2(hi_in, 3)
            os.dup2(hi_out, 4)

        # close_fds=False keeps the dup2'd fds 3 and 4; Python's own fds are close-on-exec.
        self.proc = subprocess.Popen([*argv, '--remote-debugging-pipe'], stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log, close_fds=False,
                                     preexec_fn=child_fds)
        os.close(to_child)
        os.close(from_child)
        self._buf = b''
        self._id = 0
        self.events = []
        self.session = None

    def _next(self, deadline):
        while b'\0' not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('Chromium did not answer in time')
            if select.select([self._r], [], [], left)[0]:
                chunk = os.read(self._r, 1 << 16)
                if not chunk:
                    raise EOFError('Chromium closed the DevTools pipe')
                self._buf += chunk
        msg, self._buf = self._buf.split(b'\0', 1)
        return json.loads(msg)

    def call(self, method, timeout=15, **params):
        self._id += 1
        msg = {'id': self._id, 'method': method, 'params': params}
        if self.session and not method.startswith(('Target.', 'Browser.')):
            msg['sessionId'] = self.session
        os.write(self._w, json.dumps(msg).encode() + b'\0')
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m.get('id') == self._id:
                if 'error' in m:
                    raise RuntimeError(f'{method}: {m["error"]}')
                return m.get('result', {})
            self.events.append(m)

    def wait_event(self, method, timeout=15):
        deadline = time.monotonic() + timeout
        while not any(e.get('method') == method for e in self.events):
            self.events.append(self._next(deadline))

    def js(self, expression):
        r = self.call('Runtime.evaluate', expression=expression, returnByValue=True,
                      awaitPromise=True)
        if 'exceptionDetails' in r:
            raise RuntimeError(f'page script failed: {r["exceptionDetails"]}')
        return r['result'].get('value')

    def click(self, selector):
        """A real mouse click in the middle of the element (scrolled into view)."""
        box = self.js(f'''(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()''')
        if box is None:
            raise RuntimeError(f'nothing to click: {selector}')
        for kind in ('mousePressed', 'mouseReleased'):
            self.call('Input.dispatchMouseEvent', type=kind, x=box[0], y=box[1], button='left',
                      clickCount=1)

    def key(self, name, code):
        for kind in ('rawKeyDown', 'keyUp'):
            self.call('Input.dispatchKeyEvent', type=kind, key=name, code=code,
                      windowsVirtualKeyCode=13 if name == 'Enter' else 0)

    def close(self):
        try:
            self.call('Browser.close', timeout=5)
        except (OSError, RuntimeError, TimeoutError, EOFError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


ROWS_JS = '''[...document.querySelectorAll('#messages tbody tr.row')].map((tr) => {
  const c = [...tr.cells].map((td) => td.textContent);
  return {position: c[0], date: c[1], outcome: c[2], reason: c[3], source: c[5], subject: c[7]};
})'''
SETTLE_JS = 'new Promise((r) => setTimeout(r, 400))'  # the filter box waits 120 ms
SUBJECT_COLUMN = 7  # Position, Date, Outcome, Reason, Correlation, Source, From, Subject, ...


SORTED_JS = '''((col, dir) => {
  // Non-empty values in order (ties in reading order), empty values last either way.
  const c = new Intl.Collator(undefined, {numeric: true, sensitivity: 'base'});
  const rows = [...document.querySelectorAll('#messages tbody tr.row')];
  const v = rows.map((tr) => [tr.cells[col].textContent, Number(tr.dataset.i)]);
  const firstEmpty = v.findIndex(([x]) => x === '');
  if (firstEmpty >= 0 && v.slice(firstEmpty).some(([x]) => x !== '')) return false;
  return v.every(([x, i], k) => k === 0 || v[k - 1][0] === '' || x === '' ||
      dir * c.compare(v[k - 1][0], x) < 0 || (c.compare(v[k - 1][0], x) === 0 && v[k - 1][1] < i));
})'''


def sorted_by(cdp, column, direction):
    return cdp.js(f'{SORTED_JS}({column}, {direction})')


def aria_sort(cdp, key):
    return cdp.js(f'document.querySelector(\'th[data-key="{key}"]\').getAttribute("aria-sort")')


def check_sorting(cdp):
    reading_order = [f'#{i}' for i in range(1, DEMO_MESSAGES + 1)]
    cdp.click('th[data-key="subject"] button')
    up = cdp.js(ROWS_JS)
    check(len(up) == DEMO_MESSAGES and sorted_by(cdp, SUBJECT_COLUMN, 1),
          'a click on "Subject" sorts all rows by subject, the empty subject last')
    check([r['position'] for r in up] != reading_order,
          'sorted by subject the rows are no longer in reading order')
    check(aria_sort(cdp, 'subject') == 'ascending', 'the "Subject" header says aria-sort=ascending')
    cdp.click('th[data-key="subject"] button')
    down = cdp.js(ROWS_JS)
    check(sorted_by(cdp, SUBJECT_COLUMN, -1) and down[-1]['subject'] == '' and
          down[0]['subject'] == up[-2]['subject'] and down[0] != up[0],
          'a second click sorts by subject descending, the empty subject still last')
    check(aria_sort(cdp, 'subject') == 'descending', 'the "Subject" header says aria-sort=descending')
    cdp.click('th[data-key="date"] button')
    check(sorted_by(cdp, 1, 1) and aria_sort(cdp, 'subject') is None,
          'a click on "Date" sorts by date and takes aria-sort from "Subject"')
    cdp.click('th[data-key="position"] button')
    cdp.click('th[data-key="position"] button')
    rows = cdp.js(ROWS_JS)
    check([r['position'] for r in rows] == reading_order[::-1],
          '"Position" twice: reading order reversed, #35 first')
    check(cdp.js('document.querySelectorAll("th[aria-sort]").length') == 1,
          'only the sorted column carries aria-sort')
    cdp.click('th[data-key="position"] button')
    check([r['position'] for r in cdp.js(ROWS_JS)] == reading_order,
          '"Position" again: reading order')


def check_filtering(cdp, messages):
    for text in ('northwind', 'Fabrikam queued', 'no-such-text-anywhere'):
        terms = text.lower().split()
        want = sum(filter_matches(m, terms) for m in messages)
        cdp.js('document.getElementById("filter").value = ""')
        cdp.click('#filter')
        cdp.call('Input.insertText', text=text)
        cdp.js(SETTLE_JS)
        shown = len(cdp.js(ROWS_JS))
        count = cdp.js('document.getElementById("count").textContent')
        check(shown == want and count == f'{want} of {DEMO_MESSAGES} messages',
              f'typing "{text}" in the filter box shows the {want} matching rows '
              f'(got {shown} rows, count "{count}")')
    cdp.js('(() => { const f = document.getElementById("filter"); f.value = "";'
           ' f.dispatchEvent(new Event("input", {bubbles: true})); })()')
    cdp.js(SETTLE_JS)
    check(len(cdp.js(ROWS_JS)) == DEMO_MESSAGES, 'an empty filter box shows every row again')

    cdp.click('.legend button[data-outcome="tossed"]')
    rows = cdp.js(ROWS_JS)
    check(len(rows) == DEMO_TOTALS['tossed'] and all(r['outcome'] == 'tossed' for r in rows),
          f'the legend button "tossed" shows only the {DEMO_TOTALS["tossed"]} tossed rows')
    check(cdp.js('document.getElementById("outcome").value') == 'tossed' and
          cdp.js('document.querySelector(\'.legend button[data-outcome="tossed"]\')'
                 '.getAttribute("aria-pressed")') == 'true',
          'the legend button is pressed and the outcome select follows it')
    cdp.click('.legend button[data-outcome="tossed"]')
    check(len(cdp.js(ROWS_JS)) == DEMO_MESSAGES, 'a second click on "tossed" shows every row')
    cdp.js('(() => { const s = document.getElementById("outcome"); s.value = "duplicate";'
           ' s.dispatchEvent(new Event("change", {bubbles: true})); })()')
    rows = cdp.js(ROWS_JS)
    check(len(rows) == DEMO_TOTALS['duplicate'] and all(r['outcome'] == 'duplicate' for r in rows),
          f'the outcome select "duplicate" shows the {DEMO_TOTALS["duplicate"]} duplicates')
    cdp.js('(() => { const s = document.getElementById("outcome"); s.value = "";'
           ' s.dispatchEvent(new Event("change", {bubbles: true})); })()')


def detail_of(cdp, position):
    return cdp.js(f'''(() => {{
      const tr = [...document.querySelectorAll('#messages tr.row')]
          .find((r) => r.cells[0].textContent === {json.dumps(position)});
      const next = tr.nextElementSibling;
      return {{expanded: tr.getAttribute('aria-expanded'),
               detail: next && next.classList.contains('detail') ? next.innerText : null}};
    }})()''')


def check_detail(cdp, messages, shot):
    m = next(m for m in messages if m['correlation'] == 'tracking_token')
    pos = m['position']
    sel = f'#messages tr.row[data-i="{messages.index(m)}"] td:nth-child(4)'
    cdp.click(sel)
    d = detail_of(cdp, pos)
    text = d['detail'] or ''
    fired = [s['rule'] for s in m['steps'] if s['fired']]
    check(d['expanded'] == 'true' and 'correlation.tracking_token' in text and
          all(s['rule'] in text and s['detail'] in text for s in m['steps']),
          f'a click on row {pos} opens its decision detail with every step '
          f'(correlation.tracking_token among {len(m["steps"])})')
    check(all(p['address'] in text for p in m['parties']) and m['subject'] in text,
          f'the detail of {pos} shows its subject and parties')
    n_fired = cdp.js('document.querySelectorAll(\'#messages tr.detail .steps li.fired\').length')
    check(n_fired == len(fired), f'the detail marks the {len(fired)} fired steps (got {n_fired})')
    fits = cdp.js('''(() => {
      const wrap = document.querySelector('.tablewrap').getBoundingClientRect();
      const grid = document.querySelector('#messages tr.detail .grid').getBoundingClientRect();
      return [Math.round(grid.left - wrap.left), Math.round(wrap.right - grid.right)];
    })()''')
    check(fits[0] >= 0 and fits[1] >= 0,
          f'the detail fits the visible table width (margins left/right {fits} px)')
    save_screenshot(cdp, shot)
    cdp.click(sel)
    check(detail_of(cdp, pos) == {'expanded': 'false', 'detail': None},
          f'a second click on row {pos} closes the detail')

    cdp.js('window.scrollTo(0, 0)')
    cdp.js('document.querySelector("#messages tr.row").focus()')
    cdp.key('Enter', 'Enter')
    d = detail_of(cdp, '#1')
    check(d['expanded'] == 'true' and d['detail'] and 'duplicate.ledger' in d['detail'],
          'Enter on a focused row opens its detail')
    cdp.key('Enter', 'Enter')
    check(detail_of(cdp, '#1')['detail'] is None, 'Enter again closes it')


def open_page(chromium, url, width, log_path):
    """Chromium over the DevTools protocol showing `url` at width x 900, loaded.
    Returns (cdp, close): close() ends Chromium and removes its profile."""
    profile = tempfile.mkdtemp(prefix='crmr-chromium-')
    log = open(log_path, 'wb')
    cdp = Cdp([chromium, *FLAGS, f'--user-data-dir={profile}'], log)

    def close():
        cdp.close()
        log.close()
        shutil.rmtree(profile, ignore_errors=True)

    try:
        target = cdp.call('Target.createTarget', url='about:blank')['targetId']
        cdp.session = cdp.call('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        for domain in ('Page', 'Runtime', 'Network', 'Log'):
            cdp.call(domain + '.enable')
        cdp.call('Emulation.setDeviceMetricsOverride', width=width, height=900,
                 deviceScaleFactor=1, mobile=False)
        cdp.call('Page.navigate', url=url)
        cdp.wait_event('Page.loadEventFired')
    except BaseException:
        close()
        raise
    return cdp, close


def check_interaction(chromium, url, messages, out):
    cdp, close = open_page(chromium, url, 1280, os.path.join(out, 'chromium-cdp.log'))
    try:
        check(len(cdp.js(ROWS_JS)) == DEMO_MESSAGES, f'the page shows {DEMO_MESSAGES} rows')
        check(cdp.js('document.title').startswith('crm-router report: import'),
              'the page script set the title from the run')
        check_sorting(cdp)
        check_filtering(cdp, messages)
        check_detail(cdp, messages, os.path.join(out, 'report-detail.png'))
        tall = cdp.js('''Math.max(...[...document.querySelectorAll('#messages tr.row')]
                             .map((r) => r.getBoundingClientRect().height))''')
        check(tall < 40, f'every table row is one line high (tallest {tall:.0f} px)')
    finally:
        close()
    ev = cdp.events
    requests = [e['params']['request']['url'] for e in ev
                if e.get('method') == 'Network.requestWillBeSent']
    check(requests == [url], f'the only request is the report file itself (got {requests})')
    errors = [e['params'] for e in ev if e.get('method') == 'Runtime.exceptionThrown' or
              (e.get('method') == 'Log.entryAdded' and e['params']['entry']['level'] == 'error') or
              (e.get('method') == 'Runtime.consoleAPICalled' and
               e['params']['type'] in ('error', 'warning', 'assert'))]
    check(not errors, f'no script error, console error or CSP violation (got {errors})')


# --- (d) a pushed run with [crm] url set, at 1,400 px ---------------------------------------

WIDE = 1400


def make_pushed_report(crm_router, sim, demo, out):
    """The demo imported with [crm] pointing at a fresh dataverse-sim: pushed at the end of
    the import, so the page has activity ids and links to the CRM. Returns (report, crm base)."""
    proc = subprocess.Popen([sim, '--port', '0', '--db', ':memory:', '--seed',
                             os.path.join(demo, 'cache.jsonl'), '--client-id', 'cid',
                             '--client-secret', 'sec'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().decode()
        m = re.match(r'listening on 127\.0\.0\.1:(\d+)', line)
        if not m:
            raise SystemExit(f'dataverse-sim did not start: {line!r}')
        base = f'http://127.0.0.1:{m.group(1)}/'
        db = os.path.join(out, 'pushed.db')
        report = os.path.join(out, 'report-pushed.html')
        config = os.path.join(out, 'pushed.toml')
        for f in (db, db + '.lock', report):
            if os.path.exists(f):
                os.remove(f)
        with open(config, 'w') as f:
            f.write(f'db = "{db}"\nprogress = false\n[crm]\nurl = "{base}api/data/v9.2/"\n'
                    f'token_url = "{base}{{tenant}}/oauth2/v2.0/token"\ntenant = "t1"\n'
                    'client_id = "cid"\nclient_secret_env = "CRMR_BROWSER_TEST_SECRET"\n')
        env = dict(os.environ, CRMR_BROWSER_TEST_SECRET='sec')
        subprocess.run([crm_router, '--config', config, 'cache', 'import',
                        os.path.join(demo, 'cache.jsonl')], check=True, stdout=subprocess.DEVNULL,
                       env=env)
        rc = subprocess.run([crm_router, '--config', config, '--report', report, 'import',
                             os.path.join(demo, 'demo.mbox')], stdout=subprocess.DEVNULL,
                            env=env).returncode
        if rc not in (0, 1) or not os.path.exists(report):
            raise SystemExit(f'crm-router import with push exited {rc} without writing {report}')
        return report, base
    finally:
        proc.terminate()
        proc.wait()


WIDE_LAYOUT_JS = '''(() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  for (const tr of document.querySelectorAll('#messages tbody tr.row')) {
    for (const cls of ['regarding', 'parties']) {
      const r = tr.querySelector('td.' + cls).getBoundingClientRect();
      if (r.left < 0 || r.right > vw || r.width < 80) bad.push(tr.cells[0].textContent + ' ' + cls +
          ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  // No element between the table and the page scrolls on its own.
  const scrollers = [];
  for (let e = document.getElementById('messages'); e && e !== document.documentElement; e = e.parentElement) {
    const s = getComputedStyle(e);
    const x = /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth;
    const y = /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight;
    if (x || y) scrollers.push(e.tagName + '.' + e.className);
  }
  return {vw, bad, scrollers, pageWidth: document.documentElement.scrollWidth};
})()'''

LINKS_JS = '''[...document.querySelectorAll('#messages tbody tr.row')].map((tr) => ({
  i: Number(tr.dataset.i),
  regarding: [...tr.querySelectorAll('td.regarding a')].map((a) => a.href),
  parties: [...tr.querySelectorAll('td.parties a')].map((a) => [a.textContent, a.href]),
  error: tr.nextElementSibling && tr.nextElementSibling.classList.contains('errline')
      ? tr.nextElementSibling.textContent : null,
}))'''


def save_screenshot(cdp, path):
    with open(path, 'wb') as f:
        f.write(base64.b64decode(cdp.call('Page.captureScreenshot', format='png')['data']))


def record_url(base, entity, id_):
    return f'{base}main.aspx?etn={entity}&id={id_}&pagetype=entityrecord'


def check_pushed_page(chromium, report, base, out):
    page = open(report, encoding='utf-8').read()
    messages = embedded_messages(page)
    run = json.loads(re.search(r'<script type="application/json" id="report-run">(.*?)</script>',
                               page, re.S).group(1))
    pushed = [m for m in messages if m['outcome'] == 'pushed']
    check(len(messages) == DEMO_MESSAGES and len(pushed) == DEMO_TOTALS['queued'] and
          all(m['activity_id'] for m in pushed),
          f'the pushed run\'s page holds all {DEMO_MESSAGES} messages, the '
          f'{DEMO_TOTALS["queued"]} accepted ones pushed with an activity id (got {len(pushed)})')
    check(run.get('crm_url') == base, f'the run names the CRM\'s host {base} (got {run.get("crm_url")})')
    url = 'file://' + os.path.abspath(report)
    cdp, close = open_page(chromium, url, WIDE, os.path.join(out, 'chromium-cdp-1400.log'))
    try:
        layout = cdp.js(WIDE_LAYOUT_JS)
        check(layout['vw'] <= WIDE and not layout['bad'],
              f'at {WIDE} px the Regarding and Parties cells of every row are on screen '
              f'(viewport {layout["vw"]} px; outside: {layout["bad"][:4]})')
        check(not layout['scrollers'] and layout['pageWidth'] <= layout['vw'],
              f'no nested scroll around the table and no horizontal page scroll '
              f'(scrollers {layout["scrollers"]}, page {layout["pageWidth"]} px)')

        rows = cdp.js(LINKS_JS)
        want_reg, got_reg, want_party, got_party = 0, 0, 0, 0
        for r in rows:
            m = messages[r['i']]
            if m['regarding']:
                want_reg += 1
                got_reg += r['regarding'] == [record_url(base, m['regarding']['entity'],
                                                         m['regarding']['id'])]
            resolved = [[p['address'], record_url(base, p['entity'], p['id'])]
                        for p in m['parties'] if p.get('entity') and p.get('id')]
            want_party += len(resolved)
            got_party += sum(1 for x in resolved if x in r['parties'])
        check(want_reg > 0 and got_reg == want_reg,
              f'each of the {want_reg} regarding records is a link to '
              f'{base}main.aspx?etn=ENTITY&id=ID&pagetype=entityrecord (got {got_reg})')
        check(want_party > 0 and got_party == want_party,
              f'each of the {want_party} resolved parties is a link to its record (got {got_party})')
        check('api/data' not in json.dumps(rows), 'no link points under the Web API path')
        errors = [(messages[r['i']], r['error']) for r in rows if messages[r['i']]['error']]
        check(errors and all(e and m['error'] in e for m, e in errors),
              f'each row with an error ({len(errors)}, the quarantined one among them) '
              f'shows it on a line under the row')
        sources = {r['source'] for r in cdp.js(ROWS_JS)}
        check(sources == {'demo/demo.mbox'}, f'the Source column shows demo/demo.mbox (got {sources})')
        run_dd = cdp.js('''[...document.querySelectorAll('.run div')].filter((d) =>
            d.querySelector('dt').textContent === 'Run').map((d) => d.querySelector('dd').textContent)[0]''')
        check(run_dd == str(run['id']) and run['id'] > 0, f'the header shows run {run["id"]} (got {run_dd})')

        reasons = {}
        for m in messages:
            reasons[m['reason']] = reasons.get(m['reason'], 0) + 1
        reason = max((r for r in reasons if r), key=lambda r: (reasons[r], r))
        cdp.click(f'button.reason[data-reason="{reason}"]')
        shown = cdp.js(ROWS_JS)
        check(len(shown) == reasons[reason] and all(r['reason'] == reason for r in shown),
              f'the breakdown\'s "{reason}" shows its {reasons[reason]} messages only '
              f'(got {len(shown)})')
        cdp.js('window.scrollTo(0, 0)')
        save_screenshot(cdp, os.path.join(out, 'report-1400-reason.png'))
        cdp.click(f'button.reason[data-reason="{reason}"]')
        check(len(cdp.js(ROWS_JS)) == DEMO_MESSAGES, 'a second click on the reason shows every row')

        cdp.js('window.scrollTo(0, 0)')
        save_screenshot(cdp, os.path.join(out, 'report-1400.png'))
        i = messages.index(next(m for m in pushed if m['regarding']))
        cdp.click(f'#messages tr.row[data-i="{i}"] td:nth-child(3)')
        activity = cdp.js('''(() => { const a = [...document.querySelectorAll('#messages tr.detail dd a')]
            .find((a) => a.href.includes('etn=email')); return a ? [a.textContent, a.href] : null; })()''')
        m = messages[i]
        check(activity == [m['activity_id'], record_url(base, 'email', m['activity_id'])],
              f'the detail of a pushed message links its activity {m["activity_id"]} (got {activity})')
        save_screenshot(cdp, os.path.join(out, 'report-1400-detail.png'))
    finally:
        close()
    requests = [e['params']['request']['url'] for e in cdp.events
                if e.get('method') == 'Network.requestWillBeSent']
    check(requests == [url], f'with links on the page, the only request is still the file (got {requests})')


# --- (c) the screenshot --------------------------------------------------------------------

def png_pixels(data):
    """(width, height, rows of RGB tuples) of an 8-bit RGB/RGBA non-interlaced PNG."""
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, ihdr = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f'unexpected PNG format depth={depth} type={ctype}')
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def check_screenshot(chromium, url, shot):
    if os.path.exists(shot):
        os.remove(shot)
    r = run_chromium(chromium, ['--virtual-time-budget=5000', f'--screenshot={shot}', url])
    if not check(r.returncode == 0 and os.path.exists(shot), f'chromium --screenshot wrote {shot}'):
        return
    data = open(shot, 'rb').read()
    check(len(data) > 20_000, f'the screenshot is not trivial ({len(data)} bytes > 20 KB)')
    try:
        w, h, rows = png_pixels(data)
    except (ValueError, zlib.error, struct.error) as e:
        check(False, f'the screenshot decodes as PNG ({e})')
        return
    check((w, h) == (1280, 900), f'the screenshot is 1280x900 (got {w}x{h})')
    counts = {}
    for row in rows:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    check(len(counts) > 50, f'the screenshot is not one colour ({len(counts)} colours)')
    for outcome, rgb in COLOURS.items():
        n = counts.get(rgb, 0)
        check(n >= 30, f'the screenshot shows the {outcome} colour #{bytes(rgb).hex()} ({n} px)')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--crm-router', required=True)
    ap.add_argument('--demo', required=True, help='the demo/ folder (cache.jsonl, demo.mbox)')
    ap.add_argument('--out', required=True, help='folder for the report and the screenshots')
    ap.add_argument('--sim', help='dataverse-sim: also check a pushed run with [crm] url set')
    args = ap.parse_args()

    chromium = find_chromium()
    if not chromium:
        print('SKIP: no Chromium found (chromium, chromium-browser, google-chrome or '
              '$CRMR_CHROMIUM); install it with: scripts/setup-deps chromium')
        return SKIP
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    report = make_report(args.crm_router, args.demo, args.out)
    page = open(report, encoding='utf-8').read()
    messages = embedded_messages(page)
    url = 'file://' + os.path.abspath(report)
    print(f'report: {report} ({len(page)} bytes, {len(messages)} embedded messages)')
    print(f'browser: {chromium}')

    check(len(messages) == DEMO_MESSAGES, f'the report embeds {DEMO_MESSAGES} messages')
    check('Content-Security-Policy' in page and "default-src 'none'" in page,
          "the page has a Content-Security-Policy default-src 'none'")
    urls = re.findall(r'https?://[^\s"\'<>]*', page)
    check(not urls, f'the page holds no http(s):// URL (got {urls[:5]})')

    check_dom(chromium, url)
    check_interaction(chromium, url, messages, args.out)
    check_screenshot(chromium, url, os.path.join(args.out, 'report.png'))
    if args.sim:
        pushed, base = make_pushed_report(args.crm_router, args.sim, args.demo, args.out)
        check_pushed_page(chromium, pushed, base, args.out)

    print(f'{len(failures)} failed; {time.monotonic() - started:.1f} s; screenshots in {args.out}')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
