#pragma once
// Hex by libsodium, and its one initialisation: every user of libsodium calls
// sodium_ready() first. (Message bodies have their own base64, faster: mail/mime_encoding.)
#include <cstddef>
#include <string>

namespace mailer {

// Initialises libsodium once per process (thread-safe). Error{internal} when it cannot.
void sodium_ready();

// Lowercase hex of `size` bytes at `data`.
std::string to_hex(const void* data, std::size_t size);

// Lowercase hex of `bytes` random bytes from the system's generator.
std::string random_hex(std::size_t bytes);

}  // namespace mailer
