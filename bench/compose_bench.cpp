// Compose speed: CPU time per copy of one Composer for a few typical messages (the best of
// three rounds, so that other processes on the machine disturb it less), and the size of each
// copy. Built only with -DMAILER_BENCH=ON; prints figures, never passes or fails.
//   build-bench/compose_bench [copies [case]]   (default 100000, every case; case: part of its name)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mailer/core/tracking.hpp"
#include "mailer/mail/compose.hpp"
#include "mailer/mail/tracking_links.hpp"

namespace {

using namespace mailer::mail;

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Case {
  const char* name;
  MessageTemplate message;
  bool tracked = false;  // pixel and click links, as with tracking.base_url set
};

}  // namespace

int main(int argc, char** argv) {
  long copies = argc > 1 ? std::atol(argv[1]) : 100000;
  const std::string ru = "Здравствуйте! На этой неделе скидка 20% на весь ассортимент. Ждём вас в магазине. ";
  const std::string en = "Hello! This week there is a 20% discount on everything. See you in the shop. ";
  // A shop's newsletter: 4 KB of HTML with ten product links and the unsubscribe link.
  std::string links;
  for (int i = 0; i < 10; ++i)
    links += "<p><a href=\"https://shop.example.ru/catalogue/item-" + std::to_string(i) +
             "?utm_source=mail&amp;utm_medium=email\">" + ru + "</a></p>\n";
  const MessageTemplate newsletter{"{{name}}, скидка 20%", "{{name}},\n" + repeat(ru, 13),
                                   "<html><body><p>{{name}},</p>" + repeat("<p>" + ru + "</p>\n", 14) +
                                       links +
                                       "<a href=\"{{unsubscribe_url}}\">Отписаться</a></body></html>"};
  std::vector<Case> cases = {
      {"short Cyrillic text (send_bench's)",
       {"{{name}}, скидка 20%",
        "Здравствуйте, {{name}}! На этой неделе скидка 20% на весь ассортимент. Ждём вас в магазине.",
        std::nullopt}},
      {"1,060-char Cyrillic text", {"{{name}}, скидка 20%", "{{name}},\n" + repeat(ru, 13), std::nullopt}},
      {"Cyrillic text + 4 KB HTML",
       {"{{name}}, скидка 20%", "{{name}},\n" + repeat(ru, 13),
        "<html><body><p>{{name}},</p>" + repeat("<p>" + ru + "</p>\n", 24) +
            "<a href=\"{{unsubscribe_url}}\">Отписаться</a></body></html>"}},
      {"1 KB English text", {"{{name}}, 20% off", "{{name}},\n" + repeat(en, 13), std::nullopt}},
      {"sections, Cyrillic",
       {"{{#name}}{{name}}, {{/name}}скидка",
        "{{#name}}Уважаемый {{name}}!{{/name}}"
        "{{^name}}Здравствуйте!{{/name}}\n" +
            repeat(ru, 13),
        std::nullopt}},
      {"4 KB HTML, 10 links", newsletter},
      {"4 KB HTML, 10 links, tracked", newsletter, true},
  };
  const TrackingLinks tracking{"https://mail.shop.example.ru", std::string(64, 'k'), true, true};
  for (const Case& c : cases) {
    if (argc > 2 && std::string(c.name).find(argv[2]) == std::string::npos) continue;
    Composer composer(c.message);
    ComposeContext ctx;
    ctx.from = "Магазин <news@shop.example.ru>";
    ctx.date = 1795000000;
    ctx.unsubscribe_url = "https://mail.shop.example.ru/u/1.2.0123456789abcdef0123456789abcdef";
    if (c.tracked) ctx.tracking = &tracking;
    std::string out;
    std::size_t bytes = 0;
    double best = 1e9;
    for (int round = 0; round < 3; ++round) {
      bytes = 0;
      timespec t0{}, t1{};
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
      for (long i = 0; i < copies; ++i) {
        ctx.message_id = make_message_id(ctx.from);
        if (c.tracked) {
          // As a run does it: one token per recipient, the unsubscribe link made from it.
          ctx.tracking_token = mailer::tracking_token(tracking.key, 2, i + 1);
          ctx.unsubscribe_url = mailer::unsubscribe_url(tracking.base_url, ctx.tracking_token);
        }
        std::string email = "client" + std::to_string(i) + "@shop" + std::to_string(i % 97) + ".example.ru";
        composer.compose(Recipient{email, "Покупатель " + std::to_string(i)}, ctx, out);
        bytes += out.size();
      }
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
      best = std::min(best, static_cast<double>(t1.tv_sec - t0.tv_sec) +
                                1e-9 * static_cast<double>(t1.tv_nsec - t0.tv_nsec));
    }
    std::printf("%-36s %8ld copies  %7.2f us/copy  %9.0f copies/s  %6zu B/copy\n", c.name, copies,
                best * 1e6 / static_cast<double>(copies), static_cast<double>(copies) / best,
                bytes / static_cast<std::size_t>(copies));
  }
  return 0;
}
