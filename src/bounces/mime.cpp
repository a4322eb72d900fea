// GMime reads the structure; the parts assemble() decides on are copied out as UTF-8 text.
#include "mailer/bounces/mime.hpp"

#include "ascii.hpp"

#include <gmime/gmime.h>

#include <cctype>
#include <memory>
#include <mutex>

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

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
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

// A leaf part's content with its transfer encoding undone and its charset turned into UTF-8.
std::string content_of(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (!wrapper) return {};
  Ref<GMimeStream> memory(g_mime_stream_mem_new());
  Ref<GMimeStream> filtered(g_mime_stream_filter_new(memory.get()));
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 && g_ascii_strcasecmp(charset, "us-ascii") != 0) {
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
  if (GMIME_IS_MESSAGE_PART(object)) {
    // The original message: its headers name its Message-ID; its body is not the report.
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (inner && parts.original_headers.empty()) parts.original_headers = headers_of(inner);
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

}  // namespace

MessageParts read_parts(std::string_view bytes) {
  init_once();
  MessageParts parts;
  Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ref<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return parts;
  GMimeObject* top = GMIME_OBJECT(message.get());
  GMimeHeaderList* headers = g_mime_object_get_header_list(top);
  parts.is_message = headers && g_mime_header_list_get_count(headers) > 0;
  parts.subject = header(top, "Subject");
  parts.from = header(top, "From");
  parts.return_path = header(top, "Return-Path");
  parts.auto_submitted = header(top, "Auto-Submitted");
  parts.precedence = header(top, "Precedence");
  parts.autoreply_header = g_mime_object_get_header(top, "X-Autoreply") ||
                           g_mime_object_get_header(top, "X-Autorespond") ||
                           g_mime_object_get_header(top, "X-Autoresponse");
  GMimeObject* body = g_mime_message_get_mime_part(message.get());
  if (body) {
    const char* report_type = g_mime_object_get_content_type_parameter(body, "report-type");
    if (report_type) parts.report_type = lower(report_type);
    walk(body, parts, 0);
  }
  return parts;
}

Report parse_message(std::string_view message) { return assemble(read_parts(message)); }

}  // namespace mailer::bounces
