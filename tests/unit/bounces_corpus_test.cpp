// The real reports of tests/data/bounces (sisimai's set of emails, issue 12 item 6): each file
// parses to exactly the recipients and reasons of expected.tsv, and none crashes.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mailer/bounces/mime.hpp"

using namespace mailer::bounces;

namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(MAILER_SOURCE_DIR) / "tests" / "data" / "bounces";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// file -> its rows "recipient reason severity" ("- - -" for no recipient), and sisimai's reasons.
struct Expected {
  std::map<std::string, std::vector<std::string>> rows;
  std::map<std::string, std::vector<std::string>> sisimai;
};

Expected read_expected() {
  Expected e;
  std::ifstream in(kDir / "expected.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    REQUIRE_MESSAGE(cells.size() == 5, line);
    e.rows[cells[0]].push_back(cells[1] + " " + cells[2] + " " + cells[3]);
    e.sisimai[cells[0]].push_back(cells[4]);
  }
  return e;
}

std::vector<std::string> rows_of(const Report& report) {
  std::vector<std::string> rows;
  for (const Failure& f : report.failures)
    rows.push_back(f.recipient + " " + reason_name(f.reason) + " " + severity_name(f.severity));
  if (rows.empty()) rows.push_back("- - -");
  return rows;
}

}  // namespace

TEST_CASE("bounces corpus: every report gives the recipients and reasons of expected.tsv") {
  const Expected expected = read_expected();
  std::size_t files = 0, agree = 0, compared = 0;
  std::map<std::string, int> per_reason;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expected.tsv" || name == "LICENSE" || name == "README.md") continue;
    ++files;
    const Report report = parse_message(slurp(entry.path()));
    const std::vector<std::string> got = rows_of(report);
    auto want = expected.rows.find(name);
    REQUIRE_MESSAGE(want != expected.rows.end(), name << " has no row in expected.tsv");
    CHECK_MESSAGE(got == want->second, name);
    const std::vector<std::string>& sisimai = expected.sisimai.at(name);
    for (std::size_t i = 0; i < report.failures.size(); ++i) {
      ++per_reason[reason_name(report.failures[i].reason)];
      if (i >= sisimai.size() || sisimai[i] == "-") continue;
      ++compared;
      if (sisimai[i] == reason_name(report.failures[i].reason)) ++agree;
    }
  }
  CHECK(files == expected.rows.size());
  CHECK(files >= 190);
  std::string table;
  for (const auto& [reason, count] : per_reason) table += " " + reason + "=" + std::to_string(count);
  MESSAGE("corpus: " << files << " files; sisimai's reason for " << agree << " of " << compared
                     << " recipients; per reason:" << table);
}

TEST_CASE("bounces corpus: a report's quoted Message-ID is kept for matching its attempt") {
  const Report report = parse_message(slurp(kDir / "lhost-postfix-04.eml"));
  CHECK(report.kind == Kind::bounce);
  CHECK(report.original_message_id == "A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp");
  // From text/rfc822-headers too (the complaint's original).
  CHECK(parse_message(slurp(kDir / "synthetic-arf-01.eml")).original_message_id ==
        "m42.a7.token@shop.example.com");
}

TEST_CASE("bounces corpus: the complaint, auto-replies, a reply and bytes that are no message") {
  CHECK(parse_message(slurp(kDir / "synthetic-arf-01.eml")).kind == Kind::complaint);
  CHECK(parse_message(slurp(kDir / "synthetic-vacation-01.eml")).kind == Kind::auto_reply);
  CHECK(parse_message(slurp(kDir / "synthetic-vacation-02.eml")).kind == Kind::auto_reply);
  CHECK(parse_message(slurp(kDir / "synthetic-plain-01.eml")).kind == Kind::not_bounce);
  const Report broken = parse_message(slurp(kDir / "synthetic-broken-01.bin"));
  CHECK(broken.kind == Kind::not_bounce);
  CHECK(broken.failures.empty());
  CHECK(parse_message("").failures.empty());
}
