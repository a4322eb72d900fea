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

}  // namespace mailer::store::postgres
