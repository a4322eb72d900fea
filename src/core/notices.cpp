#include "mailer/core/notices.hpp"

#include <fmt/format.h>

namespace mailer {

Notice verification_notice(const std::string& email, const std::string& name, const std::string& code,
                           std::optional<Time> waiting_since) {
  std::string waiting;
  if (waiting_since)
    waiting = fmt::format(
        "Регистрация этого адреса ждёт подтверждения с {0}; код подтверждает её, с именем и паролем,\n"
        "указанными тогда.\n"
        "This address has a registration waiting since {0}; the code confirms it, with the name\n"
        "and password given then.\n\n",
        format_local(*waiting_since));
  return {"Подтверждение регистрации / Confirm your registration",
          fmt::format("Здравствуйте{}!\n\n{}Чтобы подтвердить адрес, выполните команду:\n"
                      "To verify your address, run:\n\n    mailer user verify {} {}\n\n"
                      "Код действует 24 часа. The code is valid for 24 hours.\n\n"
                      "Если вы не регистрировались, ничего не делайте: без кода адрес не подтвердить.\n"
                      "If you did not register, do nothing: without the code nobody can verify it.\n",
                      name.empty() ? "" : ", " + name, waiting, email, code)};
}

Notice reset_notice(const std::string& email, const std::string& code) {
  return {"Сброс пароля / Password reset",
          fmt::format("Чтобы задать новый пароль, выполните команду:\nTo set a new password, run:\n\n"
                      "    mailer user reset-password {} --code {} --password-stdin\n\n"
                      "Код действует 1 час. The code is valid for 1 hour.\n\n"
                      "Если вы не просили сбросить пароль, ничего не делайте: он остаётся прежним.\n"
                      "If you did not ask for this, do nothing: your password stays as it is.\n",
                      email, code)};
}

}  // namespace mailer
