// The delivery journal's lines: what a killed sender leaves must read back exactly, and a
// line it was killed in the middle of must not be read at all.
#include "mailer/mail/journal.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using mailer::DeliveryJournal;
using mailer::JournalRecord;
using mailer::parse_journal;

namespace {

JournalRecord sent(std::int64_t client) {
  JournalRecord r;
  r.client = client;
  r.tries_before = 0;
  r.at = 1'800'000'000;
  r.status = "sent";
  r.state = "done";
  r.smtp_code = 250;
  r.email = "client" + std::to_string(client) + "@example.ru";
  r.message_id = "<" + std::to_string(client) + ".abc@shop.example.ru>";
  r.response = "250 2.0.0 Ok: queued as 4F1C2";
  return r;
}

std::string text_of(const std::vector<JournalRecord>& records) {
  std::string out;
  for (const auto& r : records) mailer::append_journal_record(r, out);
  return out;
}

}  // namespace

TEST_CASE("journal: records read back exactly, replies with tabs, newlines and backslashes included") {
  JournalRecord deferred = sent(7);
  deferred.tries_before = 2;
  deferred.status = "deferred";
  deferred.state = "deferred";
  deferred.retry_at = 1'800'000'960;
  deferred.smtp_code = 451;
  deferred.response = "451-4.7.1 Greylisted\n451 4.7.1 try\tagain in C:\\later";
  JournalRecord no_reply = sent(8);
  no_reply.status = "failed";
  no_reply.smtp_code.reset();
  no_reply.response = "connection lost: Ответ не получен";
  std::vector<JournalRecord> records{sent(1), deferred, no_reply};
  std::string text = text_of(records);
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);  // one line each, whatever the reply holds
  CHECK(parse_journal(text) == records);
}

TEST_CASE("journal: a line the process was killed in the middle of is not read") {
  std::string text = text_of({sent(1), sent(2)});
  std::string whole = text;
  text += text_of({sent(3)}).substr(0, 30);  // torn: no newline at the end
  auto records = parse_journal(text);
  REQUIRE(records.size() == 2);
  CHECK(records[1].client == 2);
  // Torn anywhere, the last record is either whole or absent, never misread.
  std::string third = text_of({sent(3)});
  for (std::size_t cut = 0; cut < third.size(); ++cut)
    CHECK(parse_journal(whole + third.substr(0, cut)).size() == 2);
  CHECK(parse_journal(whole + third).size() == 3);
}

TEST_CASE("journal: malformed lines and lines of another format are skipped, the rest is read") {
  std::string text = text_of({sent(1)});
  text += "m1\tnot-a-number\t0\t1\tsent\tdone\t\t250\ta@b\t<m>\tok\n";
  text += "m1\t2\t0\t1\tsent\tdone\t\t250\ta@b\t<m>\n";             // a field short
  text += "m1\t2\t0\t1\tsent\tdone\t\t250\ta@b\t<m>\tok\textra\n";  // a field over
  text += "m1\t2\t0\t1\tsent\tdone\t\t250\ta@b\t<m>\tbad escape \\x\n";
  text += "m9\t2\t0\t1\tsent\tdone\t\t250\ta@b\t<m>\tok\n";  // a later format
  text += std::string(40, '\0') + "\n";                      // zeros after a power cut
  text += text_of({sent(3)});
  auto records = parse_journal(text);
  REQUIRE(records.size() == 2);
  CHECK(records[0].client == 1);
  CHECK(records[1].client == 3);
}

TEST_CASE("journal: the file is appended to, emptied, read and removed") {
  char dir_template[] = "/tmp/mailer-journal-test.XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  std::string path = std::string(dir_template) + "/run1.deliveries";
  CHECK(DeliveryJournal::read(path).empty());  // no file: nothing left over
  {
    DeliveryJournal journal(path);
    std::vector<JournalRecord> first{sent(1), sent(2)};
    journal.append(first);
    CHECK(DeliveryJournal::read(path) == first);
    journal.clear();
    CHECK(DeliveryJournal::read(path).empty());
    std::vector<JournalRecord> second{sent(3)};
    journal.append(second);  // after clear() the file starts again at its beginning
    CHECK(DeliveryJournal::read(path) == second);
    journal.remove();
  }
  CHECK_FALSE(std::ifstream(path).good());
  DeliveryJournal::remove(path);  // already gone: not an error
  ::rmdir(dir_template);
}

TEST_CASE("journal: a line with an unknown status or state is not ours and is skipped (issue 8.4)") {
  std::string text = text_of({sent(1)});
  text += "m1\t2\t0\t1\tpwned\tdone\t\t250\ta@b\t<m>\tok\n";
  text += "m1\t3\t0\t1\tsent\tgone\t\t250\ta@b\t<m>\tok\n";
  text += "m1\t-4\t0\t1\tsent\tdone\t\t250\ta@b\t<m>\tok\n";
  JournalRecord refused = sent(5);
  refused.status = "deferred";
  refused.state = "queued";  // a session refusal: no try of the recipient's
  refused.retry_at = refused.at;
  text += text_of({refused});
  auto records = parse_journal(text);
  REQUIRE(records.size() == 2);
  CHECK(records[0].client == 1);
  CHECK(records[1] == refused);
}

TEST_CASE("journal: a planted file, a symlink or another mode is never read nor written through") {
  char dir_template[] = "/tmp/mailer-journal-test.XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template;
  std::string planted = dir + "/planted.deliveries";
  { std::ofstream(planted) << text_of({sent(1)}); }
  ::chmod(planted.c_str(), 0644);
  std::string problem;
  CHECK(DeliveryJournal::read_trusted(planted, problem).empty());
  CHECK(problem.find("was not read") != std::string::npos);
  ::chmod(planted.c_str(), 0600);
  CHECK(DeliveryJournal::read_trusted(planted, problem).size() == 1);
  CHECK(problem.empty());
  std::string target = dir + "/victim";
  { std::ofstream(target) << "precious\n"; }
  std::string link = dir + "/link.deliveries";
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  CHECK(DeliveryJournal::read_trusted(link, problem).empty());
  CHECK(problem.find("symbolic link") != std::string::npos);
  {
    DeliveryJournal journal(link);  // replaces the link, never writes through it
    journal.append(std::vector<JournalRecord>{sent(2)});
  }
  std::ifstream victim(target);
  std::string content((std::istreambuf_iterator<char>(victim)), std::istreambuf_iterator<char>());
  CHECK(content == "precious\n");
  struct stat sb {};
  REQUIRE(::lstat(link.c_str(), &sb) == 0);
  CHECK(S_ISREG(sb.st_mode));
  CHECK((sb.st_mode & 0777) == 0600);
  for (const auto& f : {planted, target, link}) ::unlink(f.c_str());
  ::rmdir(dir_template);
}
