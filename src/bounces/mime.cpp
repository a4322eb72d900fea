// GMime reads the structure; the parts assemble() decides on are copied out as UTF-8 text.
#include "mailer/bounces/mime.hpp"

#include "ascii.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <optional>

namespace mailer::bounces {
namespace {

using ascii::lower;

// GObject references, released on every path out.
template <class T>
struct Unref {
  void operator()(T* p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using Ref = std::unique_ptr<T, Unref<T>>;

// The message/rfc822 parts (and the subtypes GMime reads alike) are built as leaf parts of a
// type of our own (init_once): GMime would otherwise parse the whole body of the original
// message a report quotes into objects, a third of the parse, of which only two headers are
// read. The type says where GMime would have made a message part.
GType original_part_type() {
  static const GType type = [] {
    const GType known = g_type_from_name("MailerBouncesOriginal");  // the module loaded again
    return known ? known
                 : g_type_register_static_simple(GMIME_TYPE_PART, "MailerBouncesOriginal",
                                                 sizeof(GMimePartClass), nullptr, sizeof(GMimePart), nullptr,
                                                 GTypeFlags(0));
  }();
  return type;
}

// The media type under which a header block is read whole, as the message part of a message of
// its own: GMime reads those headers as an embedded message's (original_headers_of).
constexpr const char* kWholeHeaders = "x-mailer-original-headers";

}  // namespace
}  // namespace mailer::bounces

// GMime's g_mime_object_register_type() loses the entry it replaces (16 bytes each, once): in
// a build with LeakSanitizer, GMime's type registry is made outside its count.
extern "C" void __lsan_disable() __attribute__((weak));
extern "C" void __lsan_enable() __attribute__((weak));

namespace mailer::bounces {
namespace {

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (__lsan_disable) __lsan_disable();
    g_mime_init();
    // Only this module parses with GMime in mailer's process.
    for (const char* subtype : {"rfc822", "rfc2822", "global", "news"})
      g_mime_object_register_type("message", subtype, original_part_type());
    g_mime_object_register_type("message", kWholeHeaders, GMIME_TYPE_MESSAGE_PART);
    if (__lsan_enable) __lsan_enable();
  });
}

std::string header(GMimeObject* object, const char* name) {
  const char* value = g_mime_object_get_header(object, name);
  if (!value) return {};
  // Decoded from RFC 2047 into UTF-8.
  char* decoded = g_mime_utils_header_decode_text(nullptr, value);
  std::string out = decoded ? decoded : value;
  g_free(decoded);
  return out;
}

// Where a leaf part's content stands in the input: the parser keeps the memory stream
// read_parts() makes (persist-stream) and gives each part a window on it; nullopt otherwise.
struct Window {
  std::string_view input;
  std::size_t start = 0, end = 0;
  std::string_view content() const { return input.substr(start, end - start); }
};
std::optional<Window> window_of(GMimeDataWrapper* wrapper) {
  GMimeStream* stream = wrapper ? g_mime_data_wrapper_get_stream(wrapper) : nullptr;
  if (!stream || !GMIME_IS_STREAM_MEM(stream)) return std::nullopt;
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (!bytes) return std::nullopt;
  Window w;
  w.input = std::string_view(reinterpret_cast<const char*>(bytes->data), bytes->len);
  w.start = std::min<std::size_t>(std::max<gint64>(stream->bound_start, 0), w.input.size());
  w.end = stream->bound_end < 0 ? w.input.size()
                                : std::clamp<std::size_t>(stream->bound_end, w.start, w.input.size());
  return w;
}

bool transfer_encoded(GMimeContentEncoding encoding) {
  return encoding == GMIME_CONTENT_ENCODING_BASE64 || encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
         encoding == GMIME_CONTENT_ENCODING_UUENCODE;
}

// A leaf part's content with its transfer encoding undone and its charset turned into UTF-8.
std::string content_of(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (!wrapper) return {};
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  const bool convert_charset =
      charset && g_ascii_strcasecmp(charset, "utf-8") != 0 && g_ascii_strcasecmp(charset, "us-ascii") != 0;
  // Neither transfer encoding nor charset to undo: the bytes as they are, without the streams
  // that would copy them twice.
  if (!convert_charset && !transfer_encoded(g_mime_data_wrapper_get_encoding(wrapper)))
    if (auto window = window_of(wrapper)) return std::string(window->content());
  Ref<GMimeStream> memory(g_mime_stream_mem_new());
  Ref<GMimeStream> filtered(g_mime_stream_filter_new(memory.get()));
  if (convert_charset) {
    Ref<GMimeFilter> convert(g_mime_filter_charset_new(charset, "UTF-8"));
    if (convert) g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), convert.get());
  }
  g_mime_data_wrapper_write_to_stream(wrapper, filtered.get());
  g_mime_stream_flush(filtered.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// The original's Message-ID and To, as header lines: all that is read of them (serializing
// every header was a tenth of the parse).
std::string headers_of(GMimeMessage* message) {
  std::string out;
  if (const char* id = g_mime_message_get_message_id(message))
    out += std::string("Message-ID: <") + id + ">\n";
  if (const char* to = g_mime_object_get_header(GMIME_OBJECT(message), "To"))
    out += std::string("To: ") + to + "\n";
  return out;
}

// Where the header block of `message` ends: after its first empty line, or at its end.
std::size_t header_block_size(std::string_view message) {
  for (std::size_t line = 0; line < message.size();) {
    if (message[line] == '\n') return line + 1;
    if (message[line] == '\r' && line + 1 < message.size() && message[line + 1] == '\n') return line + 2;
    std::size_t end = message.find('\n', line);
    if (end == std::string_view::npos) break;
    line = end + 1;
  }
  return message.size();
}

bool blank(char c) { return c == ' ' || c == '\t'; }

bool opens_prefix(std::string_view line, std::string_view prefix) {
  return line.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), line.begin(),
                                                    [](char p, char c) { return ascii::lower(c) == p; });
}

// Whether `line` opens the field `name` (lower case) as GMime reads a field name: the text
// before the line's first colon, blanks allowed only before that colon.
bool opens_field(std::string_view line, std::string_view name) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view field = line.substr(0, colon);
  while (!field.empty() && blank(field.back())) field.remove_suffix(1);
  return field.size() == name.size() && std::equal(field.begin(), field.end(), name.begin(),
                                                   [](char a, char b) { return ascii::lower(a) == b; });
}

// The original message's header lines (headers_of), read by GMime from the lines of its
// Message-ID and To fields alone, their folded lines with them: GMime would make an object of
// every field of the header block and parse each address and date (a fifth of the parse).
// GMime drops the lines of a header block that open no valid field, with the lines folded
// under them; those of the fields kept are the same lines in the same order. The line end
// that GMime gives to the boundary after a part is the header block's again.
std::string original_headers_of(GMimePart* part) {
  std::optional<Window> window = window_of(g_mime_part_get_content(part));
  if (!window || window->start == window->end) return {};  // GMime makes no message of no bytes
  std::string_view after = window->input.substr(window->end);
  window->end += after.starts_with("\r\n") ? 2 : after.starts_with("\n") ? 1 : 0;
  std::string_view block = window->content();
  block = block.substr(0, header_block_size(block));
  // A header block cut short at the end of the input is read whole: GMime takes a last line
  // that ends in a field name for an error, and whether it is one depends on the lines before.
  std::string kept;
  if (!block.empty() && block.back() != '\n') {
    kept = std::string("Content-Type: message/") + kWholeHeaders + "\n\n";
    kept.append(block);
    Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(kept.data(), kept.size()));
    Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    Ref<GMimeMessage> outer(g_mime_parser_construct_message(parser.get(), nullptr));
    GMimeObject* body = outer ? g_mime_message_get_mime_part(outer.get()) : nullptr;
    if (!body || !GMIME_IS_MESSAGE_PART(body)) return {};
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(body));
    return inner ? headers_of(inner) : std::string();
  }
  bool keeping = false;
  for (std::size_t pos = 0; pos < block.size();) {
    std::size_t end = block.find('\n', pos) + 1;
    std::string_view line = block.substr(pos, end - pos);
    pos = end;
    if (!blank(line.front())) keeping = opens_field(line, "message-id") || opens_field(line, "to");
    if (keeping) kept.append(line);
  }
  if (kept.empty()) return {};
  Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(kept.data(), kept.size()));
  Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ref<GMimeMessage> original(g_mime_parser_construct_message(parser.get(), nullptr));
  return original ? headers_of(original.get()) : std::string();
}

void walk(GMimeObject* object, MessageParts& parts, int depth) {
  if (depth > 20) return;  // no report nests deeper; a crafted one must not exhaust the stack
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multi = GMIME_MULTIPART(object);
    int n = g_mime_multipart_get_count(multi);
    // A report whose boundary never comes is all prologue: its text is still the report.
    const char* prologue = g_mime_multipart_get_prologue(multi);
    if (n == 0 && prologue) parts.text += prologue;
    for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(multi, i), parts, depth + 1);
    return;
  }
  if (G_TYPE_CHECK_INSTANCE_TYPE(object, original_part_type())) {
    // The original message: its headers name its Message-ID; its body is not the report.
    if (parts.original_headers.empty()) parts.original_headers = original_headers_of(GMIME_PART(object));
    return;
  }
  if (!GMIME_IS_PART(object)) return;
  GMimeContentType* type = g_mime_object_get_content_type(object);
  const std::string media = lower(g_mime_content_type_get_media_type(type));
  const std::string sub = lower(g_mime_content_type_get_media_subtype(type));
  GMimePart* part = GMIME_PART(object);
  if (media == "message" && (sub == "delivery-status" || sub == "global-delivery-status")) {
    parts.delivery_status.push_back(content_of(part));
  } else if (media == "message" && sub == "feedback-report") {
    parts.feedback_report = content_of(part);
  } else if ((media == "text" && sub == "rfc822-headers") ||
             (media == "message" && sub == "rfc822-headers")) {
    if (parts.original_headers.empty()) parts.original_headers = content_of(part);
  } else if (media == "text" && sub == "plain") {
    if (!parts.text.empty()) parts.text += "\n";
    parts.text += content_of(part);
  }
}

// Whether GMime surely reads `line` as a valid field: a name of visible ASCII characters,
// blanks only between it and the colon.
bool surely_field(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && blank(name.back())) name.remove_suffix(1);
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
}

// The report with the header lines read_parts() reads, and no others once GMime surely has a
// field: Content-* (the structure), those of MessageParts, and one other field (is_message).
// Lines that open no valid field GMime drops after the first field, with the lines folded
// under them; the fields kept are the same lines in the same order. A message whose header
// block is cut short by the end of the input is given whole.
std::optional<std::string> reads_only(std::string_view bytes) {
  const std::size_t size = header_block_size(bytes);
  if (size == 0 || bytes[size - 1] != '\n') return std::nullopt;
  static constexpr std::string_view kRead[] = {"subject",        "from",          "return-path",
                                               "auto-submitted", "precedence",    "x-autoreply",
                                               "x-autorespond",  "x-autoresponse"};
  std::string out;
  out.reserve(bytes.size());
  bool field_seen = false, other_seen = false, keeping = true;
  for (std::size_t pos = 0; pos < size;) {
    std::size_t end = bytes.find('\n', pos) + 1;
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end;
    if (pos == size && (line == "\n" || line == "\r\n")) {
      keeping = true;  // the empty line that ends the header block
    } else if (!blank(line.front()) && field_seen) {
      const bool content = line.size() >= 8 && opens_prefix(line, "content-");
      keeping = content || std::any_of(std::begin(kRead), std::end(kRead),
                                       [&](std::string_view name) { return opens_field(line, name); });
      if (!keeping && !other_seen) keeping = true, other_seen = surely_field(line);
    } else if (!blank(line.front())) {
      field_seen = surely_field(line);
      other_seen = field_seen && !opens_prefix(line, "content-");
    }
    if (keeping) out.append(line);
  }
  out.append(bytes.substr(size));
  return out;
}

// Whether the first line is an mbox "From " line ("From " or ">From "), which GMime skips
// only where a message begins (construct_message); in a part it is an error.
bool mbox_line_first(std::string_view bytes) {
  if (!bytes.empty() && bytes.front() == '>') bytes.remove_prefix(1);
  return bytes.starts_with("From ");
}

bool content_header(const char* name) { return g_ascii_strncasecmp(name, "Content-", 8) == 0; }

}  // namespace

MessageParts read_parts(std::string_view bytes) {
  init_once();
  MessageParts parts;
  Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  // The message read as a part: the same headers, all on the part, without the GMimeMessage
  // that would parse every address and date of them (a tenth of the parse). A message whose
  // first line is an mbox From line is read as a message: there GMime skips that line.
  Ref<GObject> root;
  std::optional<std::string> filtered;
  GMimeObject *top = nullptr, *body = nullptr;
  if (mbox_line_first(bytes)) {
    GMimeMessage* message = g_mime_parser_construct_message(parser.get(), nullptr);
    root.reset(G_OBJECT(message));
    if (!message) return parts;
    top = GMIME_OBJECT(message);
    body = g_mime_message_get_mime_part(message);
  } else {
    if ((filtered = reads_only(bytes))) {
      stream.reset(g_mime_stream_mem_new_with_buffer(filtered->data(), filtered->size()));
      parser.reset(g_mime_parser_new_with_stream(stream.get()));
    }
    top = body = g_mime_parser_construct_part(parser.get(), nullptr);
    root.reset(G_OBJECT(top));
    if (!top) return parts;
  }
  // Headers other than Content-*: those of a message (GMime gives Content-* to its body part).
  GMimeHeaderList* headers = g_mime_object_get_header_list(top);
  const int n = headers ? g_mime_header_list_get_count(headers) : 0;
  for (int i = 0; i < n && !parts.is_message; ++i)
    parts.is_message = !content_header(g_mime_header_get_name(g_mime_header_list_get_header_at(headers, i)));
  parts.subject = header(top, "Subject");
  parts.from = header(top, "From");
  parts.return_path = header(top, "Return-Path");
  parts.auto_submitted = header(top, "Auto-Submitted");
  parts.precedence = header(top, "Precedence");
  parts.autoreply_header = g_mime_object_get_header(top, "X-Autoreply") ||
                           g_mime_object_get_header(top, "X-Autorespond") ||
                           g_mime_object_get_header(top, "X-Autoresponse");
  if (body) {
    const char* report_type = g_mime_object_get_content_type_parameter(body, "report-type");
    if (report_type) parts.report_type = lower(report_type);
    walk(body, parts, 0);
  }
  return parts;
}

Report parse_message(std::string_view message) { return assemble(read_parts(message)); }

}  // namespace mailer::bounces
