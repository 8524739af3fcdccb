// The "may include" column of the layers table, checked on the source tree:
// every `#include "..."` of every .h/.cc/.inc under core/, storage/ and cli/
// names a folder its own folder may use, no header outside core/mailbox and
// core/crm includes curl, only core/mime includes mimetic, and only cli logs
// (spdlog): the engine tells its caller through events. A failure
// names file:line, the folder and the folder it may not include.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Folder -> the folders it may include (its own always). "cli" may include
// everything. A folder missing here is itself a failure: add its row.
const std::map<std::string, std::set<std::string>>& rules() {
  static const std::map<std::string, std::set<std::string>> r = {
      {"core", {}},
      {"core/base", {"core"}},
      {"core/mime", {"core", "core/base"}},
      {"core/sources", {"core", "core/base"}},
      {"core/decision", {"core", "core/base"}},
      {"core/report", {"core", "core/base", "core/decision"}},
      {"core/mailbox", {"core", "core/base"}},
      {"core/crm", {"core", "core/base", "core/mime", "core/report"}},
      {"core/engine",
       {"core", "core/base", "core/mime", "core/sources", "core/decision", "core/report"}},
      {"storage", {"core", "core/base"}},
  };
  return r;
}

// The layer a repository path belongs to: "core/mime/x.h" -> "core/mime",
// "core/x.h" -> "core", "cli/commands/x.cc" -> "cli", "storage/x.h" -> "storage".
std::string folder_of(const std::string& path) {
  const auto first = path.find('/');
  if (first == std::string::npos) return "";
  const std::string top = path.substr(0, first);
  if (top != "core") return top;
  const auto second = path.find('/', first + 1);
  if (second == std::string::npos) return "core";
  return path.substr(0, second);
}

bool is_header(const std::string& path) { return path.ends_with(".h"); }

// The problems in one file (path relative to the repository), one string each,
// "path:line: ...".
std::vector<std::string> check_file(const std::string& path, std::istream& in) {
  static const std::regex quoted(R"re(^\s*#\s*include\s*"([^"]+)")re");
  static const std::regex angled(R"re(^\s*#\s*include\s*<([^>]+)>)re");
  std::vector<std::string> problems;
  const std::string from = folder_of(path);
  const auto rule = rules().find(from);
  if (from != "cli" && rule == rules().end()) {
    problems.push_back(path + ":1: folder " + from + " has no row in the include rules");
    return problems;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string where = path + ":" + std::to_string(n) + ": ";
    std::smatch m;
    if (std::regex_search(line, m, quoted)) {
      std::string target = m[1];
      const auto slash = target.find('/');
      const std::string top = slash == std::string::npos ? "" : target.substr(0, slash);
      if (top != "core" && top != "storage" && top != "cli") {
        // Relative to the including file's folder.
        target = (fs::path(path).parent_path() / target).lexically_normal().generic_string();
      }
      const std::string to = folder_of(target);
      if (from == "cli" || to == from) continue;
      if (!rule->second.contains(to)) {
        problems.push_back(where + from + " may not include " + to + " (\"" + m[1].str() +
                           "\")");
      }
    } else if (std::regex_search(line, m, angled)) {
      const std::string lib = m[1];
      if (lib.starts_with("curl/") && is_header(path) && from != "core/mailbox" &&
          from != "core/crm") {
        problems.push_back(where + "curl in a header outside core/mailbox and core/crm (<" +
                           lib + ">)");
      }
      if (lib.starts_with("spdlog/") && from != "cli") {
        problems.push_back(where + from + " may not log (spdlog), only cli (<" + lib + ">)");
      }
      if (lib.starts_with("mimetic/") && from != "core/mime") {
        problems.push_back(where + from + " may not include mimetic, only core/mime (<" + lib +
                           ">)");
      }
    }
  }
  return problems;
}

std::vector<std::string> check_text(const std::string& path, const std::string& text) {
  std::istringstream in(text);
  return check_file(path, in);
}

// Every .h/.cc/.inc under core/, storage/ and cli/, relative to the repository.
std::vector<std::string> source_files() {
  const fs::path root(CRMR_SOURCE_DIR);
  std::vector<std::string> files;
  for (const char* top : {"core", "storage", "cli"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / top)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".h" || ext == ".cc" || ext == ".inc")) {
        files.push_back(fs::relative(e.path(), root).generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(IncludeRules, SourceTreeIsFound) {
  const auto files = source_files();
  EXPECT_GT(files.size(), 200u) << "source tree at " << CRMR_SOURCE_DIR;
  std::set<std::string> folders;
  for (const auto& f : files) folders.insert(folder_of(f));
  for (const char* f : {"core", "core/base", "core/mime", "core/sources", "core/decision",
                        "core/report", "core/mailbox", "core/crm", "core/engine", "storage",
                        "cli"}) {
    EXPECT_TRUE(folders.contains(f)) << f;
  }
}

TEST(IncludeRules, EveryFolderIncludesOnlyWhatItsRowAllows) {
  const fs::path root(CRMR_SOURCE_DIR);
  std::map<std::string, int> per_folder;
  int problems = 0;
  for (const auto& f : source_files()) {
    std::ifstream in(root / f);
    ASSERT_TRUE(in) << f;
    ++per_folder[folder_of(f)];
    for (const auto& p : check_file(f, in)) {
      ADD_FAILURE() << p;
      ++problems;
    }
  }
  std::cout << "include rules: " << problems << " problem(s) in";
  for (const auto& [folder, count] : per_folder) std::cout << " " << folder << "/ (" << count << ")";
  std::cout << " files\n";
}

// The checker itself: each rule reports file:line and the forbidden folder.
TEST(IncludeRules, ReportsFileLineAndForbiddenFolder) {
  struct Case {
    std::string path, text, expected;  // expected: empty when allowed
  };
  const std::vector<Case> cases = {
      {"core/result.h", "#include <string>\n", ""},
      {"core/message.h", "#include \"core/result.h\"\n", ""},
      {"core/message.h", "\n#include \"core/base/normalize.h\"\n",
       "core/message.h:2: core may not include core/base (\"core/base/normalize.h\")"},
      {"core/decision/x.cc", "#include \"core/mime/mime_parser.h\"\n",
       "core/decision/x.cc:1: core/decision may not include core/mime (\"core/mime/mime_parser.h\")"},
      {"core/report/x.cc", "#include \"core/decision/decision.h\"\n", ""},
      {"core/mailbox/x.cc", "#include \"core/crm/dataverse_sink.h\"\n",
       "core/mailbox/x.cc:1: core/mailbox may not include core/crm (\"core/crm/dataverse_sink.h\")"},
      {"core/crm/x.cc", "#include \"core/mailbox/connection.h\"\n",
       "core/crm/x.cc:1: core/crm may not include core/mailbox (\"core/mailbox/connection.h\")"},
      {"core/crm/x.cc", "#include \"core/report/report.h\"\n#include \"core/mime/unwrap.h\"\n", ""},
      {"storage/x.cc", "#include \"cli/output.h\"\n",
       "storage/x.cc:1: storage may not include cli (\"cli/output.h\")"},
      {"core/x.h", "#include \"storage/store.h\"\n",
       "core/x.h:1: core may not include storage (\"storage/store.h\")"},
      {"core/engine/x.cc", "#include \"storage/store.h\"\n",
       "core/engine/x.cc:1: core/engine may not include storage (\"storage/store.h\")"},
      {"core/engine/x.h", "#include \"cli/config/mailbox_config.h\"\n",
       "core/engine/x.h:1: core/engine may not include cli (\"cli/config/mailbox_config.h\")"},
      {"core/engine/x.cc", "#include \"core/mailbox/imap_session.h\"\n",
       "core/engine/x.cc:1: core/engine may not include core/mailbox "
       "(\"core/mailbox/imap_session.h\")"},
      {"core/engine/x.cc",
       "#include \"core/run_journal.h\"\n#include \"core/mime/unwrap.h\"\n"
       "#include \"core/sources/open_source.h\"\n#include \"core/report/report.h\"\n",
       ""},
      {"cli/commands/x.cc", "#include \"storage/store.h\"\n#include \"core/crm/x.h\"\n", ""},
      {"core/report/x.cc", "#include \"report_html_page.inc\"\n", ""},
      {"core/base/x.h", "#include <curl/curl.h>\n",
       "core/base/x.h:1: curl in a header outside core/mailbox and core/crm (<curl/curl.h>)"},
      {"cli/x.h", "#include <curl/curl.h>\n",
       "cli/x.h:1: curl in a header outside core/mailbox and core/crm (<curl/curl.h>)"},
      {"core/mailbox/x.h", "#include <curl/curl.h>\n", ""},
      {"core/crm/x.h", "#include <curl/curl.h>\n", ""},
      {"core/decision/x.cc", "#include <mimetic/mimetic.h>\n",
       "core/decision/x.cc:1: core/decision may not include mimetic, only core/mime "
       "(<mimetic/mimetic.h>)"},
      {"core/engine/x.cc", "#include <spdlog/spdlog.h>\n",
       "core/engine/x.cc:1: core/engine may not log (spdlog), only cli (<spdlog/spdlog.h>)"},
      {"cli/x.cc", "#include <spdlog/spdlog.h>\n", ""},
      {"core/widgets/x.h", "#include <string>\n",
       "core/widgets/x.h:1: folder core/widgets has no row in the include rules"},
  };
  for (const auto& c : cases) {
    const auto problems = check_text(c.path, c.text);
    if (c.expected.empty()) {
      EXPECT_TRUE(problems.empty()) << c.path << ": " << (problems.empty() ? "" : problems[0]);
    } else {
      ASSERT_EQ(problems.size(), 1u) << c.path << " " << c.text;
      EXPECT_EQ(problems[0], c.expected);
    }
  }
}

}  // namespace
