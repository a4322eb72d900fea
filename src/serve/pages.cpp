#include "pages.hpp"

#include <string>

namespace mailer::serve {
namespace {

// GIF89a, a 1x1 screen with a two-colour table, a graphic control extension that makes
// colour 0 transparent, one image of one pixel, and the trailer.
constexpr char kGif[] =
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    "\x21\xf9\x04\x01\x00\x00\x00\x00"
    "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00"
    "\x02\x02\x44\x01\x00\x3b";

constexpr std::string_view kHead = R"(<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em;color:#222}
button{font:inherit;padding:.5em 1.5em;border:1px solid #888;border-radius:4px;background:#f4f4f4;cursor:pointer}
p.en{color:#555}</style>
)";

}  // namespace

std::string_view pixel_gif() { return {kGif, sizeof kGif - 1}; }

std::string_view unsubscribe_page() {
  static const std::string page = std::string(kHead) + R"(<title>Отписка / Unsubscribe</title></head><body>
<h1>Отписаться от рассылки?</h1>
<p>Нажмите кнопку, и мы больше не будем присылать вам письма этой рассылки.</p>
<p class="en">Unsubscribe? Press the button and you will get no more messages from this sender.</p>
<form method="post"><input type="hidden" name="confirm" value="yes">
<button type="submit">Отписаться / Unsubscribe</button></form>
</body></html>
)";
  return page;
}

std::string_view unsubscribed_page() {
  static const std::string page =
      std::string(kHead) + R"(<title>Вы отписаны / Unsubscribed</title></head><body>
<h1>Вы отписаны</h1>
<p>Больше писем от этого отправителя не будет.</p>
<p class="en">You are unsubscribed: no more messages from this sender.</p>
</body></html>
)";
  return page;
}

}  // namespace mailer::serve
