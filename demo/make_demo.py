#!/usr/bin/env python3
"""Writes the bundled demo data: demo/cache.jsonl, demo/cache.csv and demo/demo.mbox.

The files are committed; this script is how they were made and how to change
them (edit here, rerun, update demo/README.md, which is the oracle of what
crm-router must decide for each message). Output is deterministic.

    python3 demo/make_demo.py            # writes next to this script
"""

import base64
import csv
import json
import os
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def guid(name):
    """A stable GUID per record name, so reruns give identical files."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://contoso.example/demo/" + name))


def thread_index(root_seed, child_blocks=0):
    """An Outlook Thread-Index: 22-byte header (reserved byte, 5-byte FILETIME,
    16-byte GUID) plus one 5-byte block per reply, base64-encoded."""
    filetime = (0x01DB4C2A5F3E8000 + root_seed * 0x10000000).to_bytes(8, "big")[:5]
    raw = b"\x01" + filetime + uuid.uuid5(uuid.NAMESPACE_OID, "thread-%d" % root_seed).bytes
    for i in range(child_blocks):
        raw += bytes([0x00, 0x00, 0x1C + i, 0x4B, 0x7E + i])
    return base64.b64encode(raw).decode()


# ---------------------------------------------------------------------------
# The CRM: organization, users, queues, customers, tracked e-mails.

BLOCKED = ("ade;adp;app;asa;ashx;asmx;asp;bas;bat;cdx;cer;chm;class;cmd;com;config;cpl;crt;"
           "csh;dll;exe;fxp;hlp;hta;htr;htw;ida;idc;idq;inf;ins;isp;its;jar;js;jse;ksh;lnk;"
           "mad;maf;mag;mam;maq;mar;mas;mat;mau;mav;maw;mda;mdb;mde;mdt;mdw;mdz;msc;msh;msh1;"
           "msh1xml;msh2;msh2xml;mshxml;msi;msp;mst;ops;pcd;pif;prf;prg;printer;ps1;ps1xml;"
           "ps2;ps2xml;psc1;psc2;pst;reg;rem;scf;scr;sct;shb;shs;shtm;shtml;soap;stm;tmp;url;"
           "vb;vbe;vbs;vsmacros;vss;vst;vsw;ws;wsc;wsf;wsh")

ORGANIZATION = {
    "entity": "organization",
    "trackingprefix": "CRM:;TRK:",  # newest first: TRK: is the prefix used until 2025
    "trackingtokenidbase": 0,
    "trackingtokeniddigits": 3,
    "maximumtrackingnumber": 999,
    "emailcorrelationenabled": True,
    "enablesmartmatching": True,  # off by default in Dataverse; on here to show it
    "hashfilterkeywords": r"^[\s]*([\w]+\s?:[\s]*)+",
    "hashmaxcount": 20,
    "hashdeltasubjectcount": 0,
    "hashminaddresscount": 2,
    "ignoreinternalemail": True,
    "unresolveemailaddressifmultiplematch": False,
    "maxuploadfilesize": 5242880,
    "blockedattachments": BLOCKED,
}

# (fullname, address, isdisabled, incomingemailfilteringmethod); the user
# number in tracking tokens is the position in this list, from 1.
USERS = [
    ("Megan Bowen", "megan.bowen@contoso.example", False, 0),        # all messages
    ("Adele Vance", "adele.vance@contoso.example", False, 1),        # only correlated
    ("Diego Siciliani", "diego.siciliani@contoso.example", False, 2),  # contacts/accounts/leads
    ("Lynne Robbins", "lynne.robbins@contoso.example", False, 3),    # any e-mail-enabled record
    ("Alex Wilber", "alex.wilber@contoso.example", True, 0),         # disabled
]

QUEUES = [
    ("Support", "support@contoso.example", 0),
    ("Sales", "sales@contoso.example", 2),
]

ACCOUNTS = [
    ("Fabrikam, Inc.", "info@fabrikam.example"),
    ("Northwind Traders", "orders@northwind.example"),
    ("Tailspin Toys", "hello@tailspin.example"),
]

# (fullname, address, statecode)
CONTACTS = [
    ("Jane Doe", "jane.doe@fabrikam.example", 0),
    ("Omar Haddad", "omar.haddad@fabrikam.example", 0),
    ("Lena Vogel", "lena.vogel@northwind.example", 0),
    ("Priya Natarajan", "priya@tailspin.example", 0),
    ("Tom Berg", "tom.berg@litware.example", 0),
    ("Sofia Marques", "sofia.marques@adventure-works.example", 0),
    ("Kenji Sato", "k.sato@wingtip.example", 0),
    ("Henrik Larsen", "henrik.larsen@fourthcoffee.example", 1),  # inactive
]

LEADS = [
    ("Rosa Delgado", "rosa.delgado@woodgrove.example"),
    ("Ivan Petrov", "ivan.petrov@proseware.example"),
    ("Claire Dubois", "claire.dubois@lucerne.example"),
]

MID = {  # Message-IDs of tracked e-mails, also used by the mbox
    "t1": "<20261102084511.4F2A1C@mail.contoso.example>",
    "t2": "<a81f0c2e.5d3b.4e77@mail.contoso.example>",
    "t3": "<20261103101502.77C1@mail.contoso.example>",
    "t4": "<20250611143300.19AB@mail.contoso.example>",
    "t5": "<20261104091230.5E20@mail.contoso.example>",
    "t6": "<20261104151845.A7F3@mail.contoso.example>",
    "t7": "<DM6PR11MB40913B2A@DM6PR11MB4091.namprd11.prod.contoso.example>",
    "t8": "<20261105081500.C0DE@mail.contoso.example>",
    "t9": "<CAPriya-7731.portal@mail.tailspin.example>",
}

OPP_LAPTOPS = guid("opportunity/fabrikam-laptops")
OPP_RENEWAL = guid("opportunity/woodgrove-renewal")
OPP_TRAINING = guid("opportunity/northwind-training")
OPP_SERVICE = guid("opportunity/adventure-works-service-contract")
OPP_ROLLOUT = guid("opportunity/fabrikam-rollout")
INC_PRINTER = guid("incident/00417")
INC_PORTAL = guid("incident/00452")

# (key, token, thread index, subject, outgoing, regarding type, regarding id, to, cc)
TRACKED = [
    ("t1", "CRM:0001001", thread_index(1, 1), "Quote Q-1042 for Fabrikam", True,
     "opportunity", OPP_LAPTOPS, "jane.doe@fabrikam.example", ""),
    ("t2", "CRM:0002001", thread_index(2), "Support case 00417: printer firmware", True,
     "incident", INC_PRINTER, "omar.haddad@fabrikam.example", ""),
    ("t3", "CRM:0001002", thread_index(3), "Liefertermin Bestellung 7781", True,
     "account", guid("account/Northwind Traders"), "lena.vogel@northwind.example", ""),
    ("t4", "TRK:0002004", thread_index(4), "Renewal terms for 2027", True,
     "opportunity", OPP_RENEWAL, "rosa.delgado@woodgrove.example", ""),
    ("t5", "CRM:0003002", thread_index(5), "Onboarding plan", True,
     "account", guid("account/Tailspin Toys"), "priya@tailspin.example", ""),
    ("t6", "CRM:0001003", thread_index(6), "Angebot für Schulungen", True,
     "opportunity", OPP_TRAINING, "lena.vogel@northwind.example", ""),
    ("t7", "CRM:0004001", thread_index(7), "Service contract renewal 2027", True,
     "opportunity", OPP_SERVICE, "sofia.marques@adventure-works.example", ""),
    ("t8", "CRM:0002005", thread_index(8), "Q1 rollout schedule for the Fabrikam offices", True,
     "opportunity", OPP_ROLLOUT, "jane.doe@fabrikam.example;omar.haddad@fabrikam.example",
     "info@fabrikam.example"),
    ("t9", "", thread_index(9), "Login issues on the partner portal", False,
     "incident", INC_PORTAL, "support@contoso.example", ""),
]


def cache_rows():
    rows = [ORGANIZATION]
    for name, addr, disabled, method in USERS:
        rows.append({"entity": "systemuser", "systemuserid": guid("systemuser/" + name),
                     "fullname": name, "internalemailaddress": addr, "isdisabled": disabled,
                     "incomingemailfilteringmethod": method})
    for name, addr, method in QUEUES:
        rows.append({"entity": "queue", "queueid": guid("queue/" + name), "name": name,
                     "emailaddress": addr, "incomingemailfilteringmethod": method,
                     "statecode": 0})
    for name, addr in ACCOUNTS:
        rows.append({"entity": "account", "accountid": guid("account/" + name), "name": name,
                     "emailaddress1": addr, "statecode": 0})
    for name, addr, state in CONTACTS:
        rows.append({"entity": "contact", "contactid": guid("contact/" + name),
                     "fullname": name, "emailaddress1": addr, "statecode": state})
    for name, addr in LEADS:
        rows.append({"entity": "lead", "leadid": guid("lead/" + name), "fullname": name,
                     "emailaddress1": addr, "statecode": 0})
    for key, token, tindex, subject, outgoing, rtype, rid, to, cc in TRACKED:
        rows.append({"entity": "email", "activityid": guid("email/" + key),
                     "messageid": MID[key], "trackingtoken": token,
                     "conversationindex": tindex, "subject": subject,
                     "directioncode": outgoing, "regardingobjectid": rid,
                     "regardingobjecttype": rtype, "torecipients": to, "ccrecipients": cc})
    return rows


def write_cache():
    with open(os.path.join(HERE, "cache.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for row in cache_rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "cache.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["contactid", "fullname", "emailaddress1", "statecode"])
        for name, addr, state in CONTACTS:
            w.writerow([guid("contact/" + name), name, addr, state])


# ---------------------------------------------------------------------------
# The mailbox.

PDF = base64.b64encode(
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n").decode()
EXE = base64.b64encode(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
                       + b"\xb8" + b"\x00" * 7 + b"\x40" + b"\x00" * 35 + b"\x80\x00\x00\x00"
                       + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64
                       ).decode()
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAA"
       "AABJRU5ErkJggg==")


def wrap64(data):
    return "\n".join(data[i:i + 76] for i in range(0, len(data), 76))


def b64_words(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode() + "?="


RECEIVED_LOOP = "".join(
    "Received: from relay%d.helpdesk.example (relay%d.helpdesk.example [192.0.2.%d])\n"
    "\tby relay%d.helpdesk.example with ESMTP id L%04d; Mon, 16 Nov 2026 07:%02d:10 +0000\n"
    % (i % 2 + 1, i % 2 + 1, 10 + i % 2, (i + 1) % 2 + 1, 8000 + i, 59 - i) for i in range(32))

# Each entry: (From_ line sender, From_ line date, raw message text). The raw
# text is written as is (LF line ends), with mboxrd ">From " quoting applied.
MESSAGES = []


def msg(envelope_from, envelope_date, text):
    MESSAGES.append((envelope_from, envelope_date, text))


# 01 correlated by In-Reply-To
msg("jane.doe@fabrikam.example", "Mon Nov  2 11:02:17 2026", f"""\
From: Jane Doe <jane.doe@fabrikam.example>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: RE: Quote Q-1042 for Fabrikam
Date: Mon, 2 Nov 2026 11:02:17 +0100
Message-ID: <CAH3x9Lq7Tz01.fab@mail.fabrikam.example>
In-Reply-To: {MID['t1']}
References: {MID['t1']}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Hi Megan,

thanks for the quote. We would like to go ahead with the 40 laptops, but
could you check whether the docking stations can ship with the first batch?

Best regards,
Jane

--
Jane Doe | Procurement | Fabrikam, Inc.
""")

# 02 correlated by References only (no In-Reply-To)
msg("omar.haddad@fabrikam.example", "Mon Nov  2 14:20:03 2026", f"""\
From: "Haddad, Omar" <omar.haddad@fabrikam.example>
To: Adele Vance <adele.vance@contoso.example>
Subject: Re: Support case 00417: printer firmware
Date: Mon, 2 Nov 2026 14:20:03 +0100
Message-ID: <5f1e2a90-77b1-4c1e-9d0e-omar417@mail.fabrikam.example>
References: <thread-start-417@mail.fabrikam.example>
 {MID['t2']}
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Adele,

the firmware update from your link worked on two of the three printers.
The one on the third floor still shows error 41.2 after a restart.

Omar
""")

# 03 tracking token behind RE: AW:
msg("lena.vogel@northwind.example", "Tue Nov  3 09:15:44 2026", """\
From: Lena Vogel <lena.vogel@northwind.example>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: RE: AW: Liefertermin Bestellung 7781 CRM:0001002
Date: Tue, 3 Nov 2026 09:15:44 +0100
Message-ID: <0a9c44f1$e2b1$7781@northwind.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hallo Megan,

der neue Liefertermin (KW 48) passt uns. Bitte schicken Sie die
Auftragsbest=C3=A4tigung an orders@northwind.example.

Viele Gr=C3=BC=C3=9Fe
Lena Vogel
""")

# 04 tracking token with the organisation's old prefix TRK:
msg("rosa.delgado@woodgrove.example", "Tue Nov  3 16:40:09 2026", """\
From: Rosa Delgado <rosa.delgado@woodgrove.example>
To: adele.vance@contoso.example
Subject: Re: Renewal terms for 2027 TRK:0002004
Date: Tue, 3 Nov 2026 16:40:09 -0500
Message-ID: <CAMrosa2027renewal+44@mail.woodgrove.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Adele,

digging up this old thread: are the renewal terms you sent last year
still valid for 2027? We'd like to sign before year end.

Rosa
""")

# 05 tracking token in the "CRM: nnnn" form with a space after the prefix
msg("priya@tailspin.example", "Wed Nov  4 10:05:51 2026", """\
From: Priya Natarajan <priya@tailspin.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Subject: RE: Onboarding plan CRM: 0003002
Date: Wed, 4 Nov 2026 10:05:51 +0530
Message-ID: <tailspin.8812.1730694351@mail.tailspin.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Diego, the onboarding plan looks good. Week 2 works for our team.
Priya
""")

# 06 tracking token inside an RFC 2047 encoded subject, split over two words
msg("lena.vogel@northwind.example", "Wed Nov  4 17:22:30 2026", """\
From: Lena Vogel <lena.vogel@northwind.example>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: =?UTF-8?Q?AW:_Angebot_f=C3=BCr_Schulungen_CRM:00?=
 =?UTF-8?Q?01003?=
Date: Wed, 4 Nov 2026 17:22:30 +0100
Message-ID: <0a9c44f1$e2b1$8020@northwind.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hallo Megan,

wir nehmen das Angebot f=C3=BCr die zwei Schulungstage an. Termin wie
besprochen im Januar.

Gr=C3=BC=C3=9Fe
Lena
""")

# 07 correlated by Thread-Index conversation (same first 22 bytes + 5-byte child block)
msg("sofia.marques@adventure-works.example", "Thu Nov  5 08:31:12 2026", f"""\
From: Sofia Marques <sofia.marques@adventure-works.example>
To: Lynne Robbins <lynne.robbins@contoso.example>
Subject: RE: Service contract renewal 2027
Thread-Topic: Service contract renewal 2027
Thread-Index: {base64.b64encode(base64.b64decode(thread_index(7)) + bytes([0, 0, 0x2A, 0x11, 0x90])).decode()}
Date: Thu, 5 Nov 2026 08:31:12 +0000
Message-ID: <AM0PR02MB5603F1C2@AM0PR02MB5603.eurprd02.prod.adventure-works.example>
Accept-Language: en-US
Content-Language: en-US
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="_000_AM0PR02MB5603_"

--_000_AM0PR02MB5603_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Hi Lynne,

Legal has approved the renewal. Signed copy follows by post.

Kind regards,
Sofia

--_000_AM0PR02MB5603_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><head><meta http-equiv=3D"Content-Type" content=3D"text/html; charset=
=3Dus-ascii"></head><body><p>Hi Lynne,</p><p>Legal has approved the renewal=
. Signed copy follows by post.</p><p>Kind regards,<br>Sofia</p></body></htm=
l>

--_000_AM0PR02MB5603_--
""")

# 08 smart matching: same subject words after RE:, shares 2 recipients, nothing else
msg("jane.doe@fabrikam.example", "Thu Nov  5 13:48:26 2026", """\
From: Jane Doe <jane.doe@fabrikam.example>
To: Adele Vance <adele.vance@contoso.example>
Cc: Omar Haddad <omar.haddad@fabrikam.example>, Fabrikam Info <info@fabrikam.example>
Subject: RE: Q1 rollout schedule for the Fabrikam offices
Date: Thu, 5 Nov 2026 13:48:26 +0100
Message-ID: <CAH3x9Lq7Tz08.fab@mail.fabrikam.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Adele, the Berlin office needs to move to February. Everything else in
the schedule is fine for us.

Jane
""")

# 09 unknown tracking token, recipient accepts only correlated mail
msg("paul.walker@example.net", "Fri Nov  6 09:00:41 2026", """\
From: Paul Walker <paul.walker@example.net>
To: Adele Vance <adele.vance@contoso.example>
Subject: Re: Price list 2027 CRM:0002077
Date: Fri, 6 Nov 2026 09:00:41 +0000
Message-ID: <8d1f77e0.pw@example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello, a colleague forwarded me your price list. Is it still current?
Paul Walker
""")

# 10 another organisation's token prefix (ignored), queue accepts all
msg("nina.brooks@example.org", "Fri Nov  6 10:12:03 2026", """\
From: Nina Brooks <nina.brooks@example.org>
To: Contoso Support <support@contoso.example>
Subject: Re: Partner enquiry EXT:0001001
Date: Fri, 6 Nov 2026 10:12:03 -0800
Message-ID: <nb-20261106-1012@mail.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi, following up on the partner enquiry I sent through our own ticketing
system (hence the odd reference in the subject). Who can I talk to?
Nina
""")

MSG_INVOICE = """\
From: Mark Jones <mark.jones@example.net>
To: support@contoso.example
Subject: Question about invoice INV-2026-0815
Date: Fri, 6 Nov 2026 15:33:19 +0000
Message-ID: <f3b2c1d0-inv0815@mail.example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello,

invoice INV-2026-0815 lists 12 licences but we ordered 10. Could you
send a corrected invoice?

Thanks,
Mark Jones
"""

# 11 queue support@ accepts all (this message comes again as 30)
msg("mark.jones@example.net", "Fri Nov  6 15:33:19 2026", MSG_INVOICE)

# 12 user with method 0 accepts all (Outlook Thread-Index of an unrelated thread)
msg("olivia.chen@example.com", "Mon Nov  9 08:12:55 2026", f"""\
From: Olivia Chen <olivia.chen@example.com>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: Introduction: facilities management services
Thread-Topic: Introduction: facilities management services
Thread-Index: {thread_index(12)}
Date: Mon, 9 Nov 2026 08:12:55 +0000
Message-ID: <BY5PR04MB6930A4@BY5PR04MB6930.namprd04.prod.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Dear Megan,

we provide facilities management for offices of 50 to 500 people and
would welcome a short call to introduce our services.

Olivia Chen
""")

# 13 external To, two CRM recipients in Cc: one refuses (method 1), the queue accepts
msg("sam.patel@partner.example", "Mon Nov  9 11:47:02 2026", """\
From: Sam Patel <sam.patel@partner.example>
To: Ravi Kumar <ravi@partner.example>
Cc: Adele Vance <adele.vance@contoso.example>, support@contoso.example
Subject: Shared installation checklist
Date: Mon, 9 Nov 2026 11:47:02 +0000
Message-ID: <sp.4471.1731152822@partner.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Ravi, copying Contoso so everyone works from the same checklist:
1. power, 2. network, 3. firmware, 4. acceptance test.
Sam
""")

# 14 sender is a contact, queue sales@ has method 2
msg("tom.berg@litware.example", "Mon Nov  9 13:05:30 2026", """\
From: Tom Berg <tom.berg@litware.example>
To: Contoso Sales <sales@contoso.example>
Subject: Request for quote: 200 ergonomic chairs
Date: Mon, 9 Nov 2026 13:05:30 +0100
Message-ID: <litware.tb.20261109.1305@mail.litware.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello,

please send us a quote for 200 ergonomic office chairs, delivery to our
Oslo office in March.

Tom Berg
Litware
""")

# 15 sender is an account, user with method 2; PDF attachment kept
msg("orders@northwind.example", "Tue Nov 10 07:58:14 2026", f"""\
From: Northwind Traders <orders@northwind.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Subject: Purchase order PO-55102
Date: Tue, 10 Nov 2026 07:58:14 +0100
Message-ID: <po-55102.20261110@erp.northwind.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_po55102"

--=_po55102
Content-Type: text/plain; charset=us-ascii

Please find attached our purchase order PO-55102.

--=_po55102
Content-Type: application/pdf; name="PO-55102.pdf"
Content-Disposition: attachment; filename="PO-55102.pdf"
Content-Transfer-Encoding: base64

{wrap64(PDF)}
--=_po55102--
""")

# 16 sender is a lead, user with method 2
msg("ivan.petrov@proseware.example", "Tue Nov 10 12:30:45 2026", """\
From: Ivan Petrov <ivan.petrov@proseware.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Subject: Meeting follow-up: warehouse automation
Date: Tue, 10 Nov 2026 12:30:45 +0200
Message-ID: <ip.proseware.771@mail.proseware.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Diego, thanks for the meeting. As promised, our warehouse has 14 loading
docks and runs two shifts. Looking forward to your proposal.
Ivan
""")

# 17 ISO-8859-1 encoded subject and body; sender is a lead, user with method 3
msg("claire.dubois@lucerne.example", "Tue Nov 10 15:02:11 2026", """\
From: =?ISO-8859-1?Q?Claire_Dubois?= <claire.dubois@lucerne.example>
To: Lynne Robbins <lynne.robbins@contoso.example>
Subject: =?ISO-8859-1?Q?Demande_de_devis_=E9quipement_de_caf=E9?=
Date: Tue, 10 Nov 2026 15:02:11 +0100
Message-ID: <cd-lucerne-20261110-1502@mail.lucerne.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Bonjour Lynne,

pourriez-vous nous envoyer un devis pour l'=E9quipement de caf=E9 de nos
deux =E9tages ? Merci d'avance.

Cordialement,
Claire Dubois
""")

KENJI_BODY = base64.b64encode(
    "営業部御中\n\nデモ機3台のお見積もりをお願いいたします。\n\n佐藤健二\n".encode()).decode()

# 18 UTF-8 base64 encoded subject (Japanese); sender is a contact, queue method 2
msg("k.sato@wingtip.example", "Wed Nov 11 02:14:09 2026", f"""\
From: =?UTF-8?B?5L2Q6Jek5YGl5LqM?= <k.sato@wingtip.example>
To: sales@contoso.example
Subject: {b64_words("お見積もりのお願い（デモ機）")}
Date: Wed, 11 Nov 2026 11:14:09 +0900
Message-ID: <20261111111409.kenji@wingtip.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

{wrap64(KENJI_BODY)}
""")

# 19 blocked attachment (.exe left out, .txt kept); contact to user with method 2
msg("k.sato@wingtip.example", "Wed Nov 11 09:40:33 2026", f"""\
From: Kenji Sato <k.sato@wingtip.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Subject: Setup tool for the demo units
Date: Wed, 11 Nov 2026 18:40:33 +0900
Message-ID: <20261111184033.kenji2@wingtip.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_19_1731318033"

------=_Part_19_1731318033
Content-Type: text/plain; charset=us-ascii

Diego, attached are our setup tool and the notes for the demo units.

------=_Part_19_1731318033
Content-Type: text/plain; charset=us-ascii; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

Unit 1: firmware 2.4
Unit 2: firmware 2.4
Unit 3: firmware 2.5 (beta)

------=_Part_19_1731318033
Content-Type: application/octet-stream; name="setup_tool.exe"
Content-Disposition: attachment; filename="setup_tool.exe"
Content-Transfer-Encoding: base64

{wrap64(EXE)}
------=_Part_19_1731318033--
""")

# 20 HTML with an inline image (multipart/related); contact to queue method 2
msg("omar.haddad@fabrikam.example", "Wed Nov 11 14:55:00 2026", f"""\
From: Omar Haddad <omar.haddad@fabrikam.example>
To: Contoso Sales <sales@contoso.example>
Subject: Floor plan for the new showroom
Date: Wed, 11 Nov 2026 14:55:00 +0100
Message-ID: <5f1e2a90-77b1-4c1e-9d0e-omar520@mail.fabrikam.example>
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel-20"; type="text/html"

--rel-20
Content-Type: text/html; charset=utf-8

<html><body><p>Hello Sales team,</p>
<p>here is the floor plan for the new showroom:</p>
<p><img src="cid:floorplan@fabrikam.example" alt="floor plan"></p>
<p>Omar</p></body></html>

--rel-20
Content-Type: image/png; name="floorplan.png"
Content-Disposition: inline; filename="floorplan.png"
Content-ID: <floorplan@fabrikam.example>
Content-Transfer-Encoding: base64

{PNG}
--rel-20--
""")

# 21 sender is no CRM record; the only recipient (queue, method 2) refuses
msg("greg.holt@example.com", "Thu Nov 12 10:21:37 2026", """\
From: Greg Holt <greg.holt@example.com>
To: sales@contoso.example
Subject: Partnership opportunity
Date: Thu, 12 Nov 2026 10:21:37 +0000
Message-ID: <gh-partnership-1121@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi, we resell office furniture in the Nordics and would like to discuss
a partnership. Are you the right contact?
Greg
""")

# 22 sender is an inactive contact; the recipient (method 2) refuses
msg("henrik.larsen@fourthcoffee.example", "Thu Nov 12 13:09:58 2026", """\
From: Henrik Larsen <henrik.larsen@fourthcoffee.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Subject: Catching up after the trade fair
Date: Thu, 12 Nov 2026 13:09:58 +0100
Message-ID: <hl.4c.20261112@mail.fourthcoffee.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Diego, good to see you at the trade fair. I have moved on from Fourth
Coffee, but let's stay in touch.
Henrik
""")

# 23 no CRM recipient at all (newsletter to a plain mailbox)
msg("news@retailweekly.example", "Thu Nov 12 06:00:00 2026", """\
From: Retail Weekly <news@retailweekly.example>
To: info@contoso.example
Subject: Retail Weekly: holiday season outlook
Date: Thu, 12 Nov 2026 06:00:00 +0000
Message-ID: <rw.2026.46.contoso@news.retailweekly.example>
List-Id: Retail Weekly <weekly.retailweekly.example>
List-Unsubscribe: <mailto:unsubscribe@retailweekly.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This week: what analysts expect from the holiday season, and five
checkout trends to watch.
""")

# 24 the only CRM recipient is a disabled user
msg("laura.kim@example.org", "Fri Nov 13 09:44:20 2026", """\
From: Laura Kim <laura.kim@example.org>
To: Alex Wilber <alex.wilber@contoso.example>
Subject: Conference speaker invitation
Date: Fri, 13 Nov 2026 09:44:20 -0500
Message-ID: <lk-speaker-2027@mail.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Dear Alex, we would be delighted to have you speak at our spring
conference. Please let us know by December 1.
Laura Kim
""")

# 25 internal: system user to system users
msg("megan.bowen@contoso.example", "Fri Nov 13 11:30:00 2026", """\
From: Megan Bowen <megan.bowen@contoso.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Cc: Adele Vance <adele.vance@contoso.example>
Subject: Pipeline review moved to Thursday
Date: Fri, 13 Nov 2026 11:30:00 +0100
Message-ID: <20261113103000.mb01@mail.contoso.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi both, the pipeline review moves to Thursday 10:00, same room.
Megan
""")

# 26 auto-reply (Auto-Submitted: auto-replied)
msg("omar.haddad@fabrikam.example", "Fri Nov 13 11:31:05 2026", """\
From: Omar Haddad <omar.haddad@fabrikam.example>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: Automatic reply: Delivery schedule for December
Date: Fri, 13 Nov 2026 11:31:05 +0100
Message-ID: <autoreply.omar.20261113@mail.fabrikam.example>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

I am out of the office until 23 November with limited access to e-mail.
For urgent matters please contact info@fabrikam.example.
""")

# 27 auto-reply (X-Autoreply and Precedence: auto_reply)
msg("sofia.marques@adventure-works.example", "Fri Nov 13 16:02:40 2026", """\
From: Sofia Marques <sofia.marques@adventure-works.example>
To: Lynne Robbins <lynne.robbins@contoso.example>
Subject: Out of office until 1 December
Date: Fri, 13 Nov 2026 16:02:40 +0000
Message-ID: <ooo.sofia.1731513760@adventure-works.example>
X-Autoreply: yes
Precedence: auto_reply
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Thank you for your message. I am on leave until 1 December.
""")

# 28 delivery-status report
msg("MAILER-DAEMON@mail.contoso.example", "Mon Nov 16 08:05:12 2026", """\
From: Mail Delivery System <MAILER-DAEMON@mail.contoso.example>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: Undelivered Mail Returned to Sender
Date: Mon, 16 Nov 2026 08:05:12 +0000
Message-ID: <20261116080512.1F3C2@mail.contoso.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="1F3C2.1731744312/mail.contoso.example"

--1F3C2.1731744312/mail.contoso.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.contoso.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<j.smith@fabrikam.example>: host mx.fabrikam.example[198.51.100.25] said:
    550 5.1.1 <j.smith@fabrikam.example>: Recipient address rejected: User
    unknown in virtual mailbox table

--1F3C2.1731744312/mail.contoso.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.contoso.example
Arrival-Date: Mon, 16 Nov 2026 08:05:10 +0000

Final-Recipient: rfc822; j.smith@fabrikam.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.fabrikam.example
Diagnostic-Code: smtp; 550 5.1.1 <j.smith@fabrikam.example>: Recipient
    address rejected: User unknown in virtual mailbox table

--1F3C2.1731744312/mail.contoso.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Megan Bowen <megan.bowen@contoso.example>
To: j.smith@fabrikam.example
Subject: Delivery schedule for December
Date: Mon, 16 Nov 2026 08:05:09 +0000
Message-ID: <20261116080509.mb02@mail.contoso.example>

--1F3C2.1731744312/mail.contoso.example--
""")

# 29 mail loop (32 Received headers); would otherwise be accepted by support@
msg("noreply@helpdesk.example", "Mon Nov 16 08:10:00 2026", RECEIVED_LOOP + """\
From: Helpdesk <noreply@helpdesk.example>
To: support@contoso.example
Subject: [Ticket #88213] Status update
Date: Mon, 16 Nov 2026 07:27:10 +0000
Message-ID: <ticket-88213-update-7@helpdesk.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Ticket #88213 has been updated. Reply above this line to add a comment.
""")

# 30 the same message as 11 again (same Message-ID): duplicate in the batch
msg("mark.jones@example.net", "Fri Nov  6 15:33:19 2026", MSG_INVOICE)

# 31 Message-ID the CRM already tracks (tracked e-mail t9)
msg("priya@tailspin.example", "Mon Nov 16 09:20:31 2026", f"""\
From: Priya Natarajan <priya@tailspin.example>
To: Contoso Support <support@contoso.example>
Subject: Login issues on the partner portal
Date: Mon, 16 Nov 2026 09:20:31 +0530
Message-ID: {MID['t9']}
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi, none of our users can log in to the partner portal since this
morning. The error is "session expired" right after the password.
Priya
""")

# 32 no header at all: only body lines between two From_ lines (quarantine)
msg("nobody@unknown.invalid", "Mon Nov 16 10:00:00 2026", """\
  this is what was left of a message after a broken relay cut off the
  header section: there is no From, no Date and no Message-ID here
  and no blank line that would end a header
just text until the next separator line
""")

# 33 forward-as-attachment (message/rfc822), as a user forwards to the forward mailbox
msg("diego.siciliani@contoso.example", "Tue Nov 17 08:45:00 2026", """\
From: Diego Siciliani <diego.siciliani@contoso.example>
To: CRM Forward Mailbox <crm-forward@contoso.example>
Subject: FW: Order confirmation 5521
Date: Tue, 17 Nov 2026 08:45:00 +0100
Message-ID: <20261117074500.ds01@mail.contoso.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-33"

--fwd-33
Content-Type: text/plain; charset=us-ascii

Forwarded to CRM.

--fwd-33
Content-Type: message/rfc822
Content-Disposition: attachment; filename="Order confirmation 5521.eml"

From: Sofia Marques <sofia.marques@adventure-works.example>
To: Diego Siciliani <diego.siciliani@contoso.example>
Subject: Order confirmation 5521
Date: Mon, 16 Nov 2026 17:12:40 +0000
Message-ID: <order-5521-confirm@adventure-works.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Diego, we confirm order 5521 (6 units, delivery in week 49).
Sofia

--fwd-33--
""")

# 34 mboxrd quoting: body lines "From the desk..." and ">From the archive..."
msg("tom.berg@litware.example", "Tue Nov 17 10:20:15 2026", """\
From: Tom Berg <tom.berg@litware.example>
To: Megan Bowen <megan.bowen@contoso.example>
Subject: Notes for the chair order
Date: Tue, 17 Nov 2026 10:20:15 +0100
Message-ID: <litware.tb.20261117.1020@mail.litware.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

From the desk of Tom Berg:

Megan, a few notes for the chair order. Quoting my colleague:

>From the archive, as promised: last year's order was 150 chairs.

Tom
""")

# 35 no Message-ID at all (key derived from content); queue accepts all
msg("priya@tailspin.example", "Tue Nov 17 12:00:00 2026", """\
From: Priya Natarajan <priya@tailspin.example>
To: support@contoso.example
Subject: Quick question about licences
Date: Tue, 17 Nov 2026 12:00:00 +0530
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Can we move two licences from Pune to Chennai without a new order?
Priya
""")


def mboxrd_quote(text):
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        if stripped.startswith("From "):
            line = ">" + line
        out.append(line)
    return "\n".join(out)


def write_mbox():
    with open(os.path.join(HERE, "demo.mbox"), "w", encoding="utf-8", newline="\n") as f:
        for sender, date, text in MESSAGES:
            if not text.endswith("\n"):
                text += "\n"
            f.write("From %s %s\n" % (sender, date))
            f.write(mboxrd_quote(text))
            f.write("\n")  # the blank line that ends each message in an mbox


if __name__ == "__main__":
    write_cache()
    write_mbox()
    print("wrote cache.jsonl (%d rows), cache.csv, demo.mbox (%d messages)"
          % (len(cache_rows()), len(MESSAGES)))
