#pragma once
// MIME encodings (pure): header text as RFC 2047 encoded words or folded ASCII, bodies as
// quoted-printable or base64, whichever is shorter. The append_* functions write straight
// into the caller's buffer: compose calls them for every copy of a run.
#include <cstddef>
#include <string>
#include <string_view>

namespace mailer::mail {

inline constexpr std::size_t kFoldColumn = 78;      // RFC 5322 §2.1.1: lines SHOULD stay within 78
inline constexpr std::size_t kMaxLineOctets = 998;  // RFC 5322 §2.1.1: lines MUST stay within 998

// --- header text ------------------------------------------------------------------------

// Header values come from the database and from rendered templates, so a CR or LF here
// would let a recipient's name inject headers: each run of them becomes one space, and the
// other control characters (meaningless in a header) are dropped. Replaces `dst`.
void clean_header_into(std::string& dst, std::string_view src);
std::string clean_header(std::string_view src);

// Printable ASCII that no decoder would mistake for an encoded word: it may go into a header
// as it is.
bool is_plain_ascii(std::string_view s);

// RFC 2047 "B" words of at most 75 characters, folded with CRLF SP so that lines stay within
// 78 columns where `col` (the column the text starts at) allows; a word never ends inside a
// UTF-8 sequence. Returns the column after the last word.
std::size_t append_encoded_words(std::string& out, std::string_view text, std::size_t col);

// Clean header text (no CR/LF) at column `col`: plain ASCII folded at its spaces, anything
// else as encoded words. Returns the column after it.
std::size_t append_header_text(std::string& out, std::string_view text, std::size_t col);

// RFC 2047 encoded-word form of a header text, folded for a header name of up to 9 columns
// ("Subject: "). Plain ASCII is returned unchanged, except that a long one is folded at its
// spaces. CR/LF become spaces.
std::string encode_header_text(std::string_view text);

// --- bodies -----------------------------------------------------------------------------

enum class BodyEncoding { quoted_printable, base64 };

// The Content-Transfer-Encoding value.
std::string_view encoding_name(BodyEncoding encoding);

// The shorter encoding of a UTF-8 text, decided by one counting pass (what quoted-printable
// would escape, where lines end) rather than by encoding twice; the estimate is exact but for
// where soft line breaks fall. Mostly-ASCII text stays quoted-printable (readable in the raw
// message); Cyrillic, at 2 bytes a letter that QP writes as =XX=XX, becomes base64.
BodyEncoding choose_body_encoding(std::string_view text);

// Appends the body in that encoding with CRLF line endings, without a final CRLF. Bare LF and
// CR in the text are line breaks, written as CRLF (in base64: encoded as CRLF, RFC 2045 §6.8).
void append_body(std::string& out, std::string_view text, BodyEncoding encoding);

// Quoted-printable body encoding with CRLF line endings (RFC 2045 §6.7), lines of at most 76;
// a "." that would start a line is written =2E so no transport ever sees a dot line.
std::string quoted_printable(std::string_view text);

// Base64 body encoding of the text's canonical form (line breaks as CRLF), in lines of 76
// characters separated by CRLF (RFC 2045 §6.8).
std::string base64_body(std::string_view text);

// An upper bound on what append_body writes for `size` bytes in either encoding.
constexpr std::size_t body_bound(std::size_t size) { return 3 * size + 3 * (size / 25 + 1) + 80; }

}  // namespace mailer::mail
