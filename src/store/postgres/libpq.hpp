#pragma once
// libpq, loaded on first use (Debian's libpq5): linked, it and the Kerberos, LDAP and OpenSSL
// libraries it pulls in would cost every start, SQLite users' idle cron ticks above all.
#include <libpq-fe.h>

#include <string>

namespace mailer::store::postgres {

struct Libpq {
  decltype(&PQconnectdbParams) connectdb_params;
  decltype(&PQstatus) status;
  decltype(&PQerrorMessage) error_message;
  decltype(&PQfinish) finish;
  decltype(&PQexec) exec;
  decltype(&PQexecParams) exec_params;
  decltype(&PQresultStatus) result_status;
  decltype(&PQresultErrorField) result_error_field;
  decltype(&PQresultErrorMessage) result_error_message;
  decltype(&PQclear) clear;
  decltype(&PQntuples) ntuples;
  decltype(&PQgetvalue) getvalue;
  decltype(&PQgetlength) getlength;
  decltype(&PQgetisnull) getisnull;
  decltype(&PQcmdTuples) cmd_tuples;
  decltype(&PQunescapeBytea) unescape_bytea;
  decltype(&PQfreemem) freemem;
  decltype(&PQsetNoticeProcessor) set_notice_processor;
  decltype(&PQtransactionStatus) transaction_status;
};

// The entry points, resolved once per process; Error{config} naming libpq5 when it is missing.
const Libpq& libpq();

// A connection to `url` (its password, when not empty, given apart from the URL), or null
// with `why` set to libpq's reason on one line.
PGconn* connect(const std::string& url, const std::string& password, const char* application,
                std::string& why);

}  // namespace mailer::store::postgres
