#pragma once
// Case-insensitive matching of user text in every script (SPEC §1, §2: "Unicode
// case-insensitive"), where SQLite's NOCASE and lower() know ASCII only.
#include <string>
#include <string_view>

namespace mailer {

// The Unicode simple case folding of UTF-8 text: "ОЛЕГ", "Олег" and "олег" fold alike, so
// do "ΣΊΣΥΦΟΣ" and "σίσυφος" (final sigma too). Ill-formed bytes are kept as they are, so a
// key never fails. The result is a key for comparison and lookup, never shown.
std::string fold_case(std::string_view text);

// Appends fold_case(text) to `out` (for keys built in one string).
void append_folded(std::string& out, std::string_view text);

// fold_case for searching: also "е" + U+0308 (a decomposed "ё") as "ё".
std::string fold_for_search(std::string_view text);

// Whether `text` contains `needle`, both from fold_for_search. An "е" in the needle also
// matches "ё", as Russian readers take them (a search for "петр" finds "Пётр"); an "ё" typed
// on purpose matches "ё" only.
bool search_matches(std::string_view text, std::string_view needle);

}  // namespace mailer
