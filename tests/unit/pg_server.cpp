#include "pg_server.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace mailer::test {
namespace {

std::string base_url() {
  static const std::string url = [] {
    std::ifstream in(std::string(MAILER_TEST_PG_DIR) + "/url");
    std::string line;
    std::getline(in, line);
    if (line.empty())
      throw std::runtime_error(std::string("no PostgreSQL for the tests: ") + MAILER_TEST_PG_DIR +
                               "/url is missing (ctest's fixture \"postgres\" starts one)");
    return line;
  }();
  return url;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string pg_url(const std::string& name) {
  const std::string base = base_url();
  // postgresql://postgres@/postgres?host=...: the database is the path.
  const auto q = base.find('?');
  const auto slash = base.rfind('/', q);
  return base.substr(0, slash + 1) + name + (q == std::string::npos ? "" : base.substr(q));
}

std::string pg_psql(const std::string& db, const std::string& sql) {
  const std::string cmd =
      "psql -X -q -A -t -v ON_ERROR_STOP=1 " + shell_quote(pg_url(db)) + " -c " + shell_quote(sql) + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  if (!p) throw std::runtime_error("cannot run psql");
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p.get())) out.append(buf.data(), n);
  int rc = ::pclose(p.release());
  if (rc != 0) throw std::runtime_error("psql failed on " + db + ": " + sql + ": " + out);
  return out;
}

PgTestDatabase::PgTestDatabase() {
  static std::atomic<int> n{0};
  name_ = "mailer_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
  // mailer_template is migrated by the fixture (`mailer init` on it), before any test runs.
  pg_psql("postgres", "CREATE DATABASE " + name_ + " TEMPLATE mailer_template");
  url_ = pg_url(name_);
}

PgTestDatabase::~PgTestDatabase() {
  try {
    pg_psql("postgres", "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
  }
}

}  // namespace mailer::test
