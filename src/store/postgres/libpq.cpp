#include "libpq.hpp"

#include "mailer/base/shared_library.hpp"

namespace mailer::store::postgres {

const Libpq& libpq() {
  static const Libpq api = [] {
    static const SharedLibrary lib("libpq.so.5", "libpq5");
    Libpq a{};
    lib.resolve("PQconnectdbParams", a.connectdb_params);
    lib.resolve("PQstatus", a.status);
    lib.resolve("PQerrorMessage", a.error_message);
    lib.resolve("PQfinish", a.finish);
    lib.resolve("PQexec", a.exec);
    lib.resolve("PQexecParams", a.exec_params);
    lib.resolve("PQresultStatus", a.result_status);
    lib.resolve("PQresultErrorField", a.result_error_field);
    lib.resolve("PQresultErrorMessage", a.result_error_message);
    lib.resolve("PQclear", a.clear);
    lib.resolve("PQntuples", a.ntuples);
    lib.resolve("PQgetvalue", a.getvalue);
    lib.resolve("PQgetlength", a.getlength);
    lib.resolve("PQgetisnull", a.getisnull);
    lib.resolve("PQcmdTuples", a.cmd_tuples);
    lib.resolve("PQunescapeBytea", a.unescape_bytea);
    lib.resolve("PQfreemem", a.freemem);
    lib.resolve("PQsetNoticeProcessor", a.set_notice_processor);
    lib.resolve("PQtransactionStatus", a.transaction_status);
    return a;
  }();
  return api;
}

PGconn* connect(const std::string& url, const std::string& password, const char* application,
                std::string& why) {
  const auto& pq = libpq();
  const char* keys[] = {"dbname", "application_name", password.empty() ? nullptr : "password", nullptr};
  const char* values[] = {url.c_str(), application, password.c_str(), nullptr};
  PGconn* conn = pq.connectdb_params(keys, values, 1);
  if (conn && pq.status(conn) == CONNECTION_OK) return conn;
  why = conn ? pq.error_message(conn) : "out of memory";
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  // One line, as every error of mailer is: libpq ends its lines with "\n" and indents the next.
  for (std::size_t nl; (nl = why.find('\n')) != std::string::npos;)
    why.replace(nl,
                why.find_first_not_of(" \t", nl + 1) == std::string::npos
                    ? why.size() - nl
                    : why.find_first_not_of(" \t", nl + 1) - nl,
                "; ");
  if (conn) pq.finish(conn);
  return nullptr;
}

}  // namespace mailer::store::postgres
