#include "mailer/notices.hpp"

#include <fmt/format.h>

#include "mailer/compose.hpp"
#include "mailer/smtp.hpp"

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

Notify smtp_notifier(const Config& config) {
  // Read now, before the command looks anything up: a missing password is then the same error
  // whether or not the address has an account.
  mail::SmtpSettings settings = mail::smtp_settings(config);
  settings.connections = 1;
  return [config, settings](const std::string& to, const std::string& subject, const std::string& body) {
    mail::ComposeContext context;
    context.from = config.smtp.from;
    context.date = current_time();
    context.message_id = mail::make_message_id(config.smtp.from);
    // The body is ours, not a user template: render it verbatim (no mustache tags in it).
    mail::MessageTemplate message{subject, body, std::nullopt};
    mail::Envelope envelope{0, mail::envelope_address(to),
                            mail::compose(message, mail::Recipient{to, ""}, context)};
    mail::send_one(settings, envelope);
  };
}

}  // namespace mailer
