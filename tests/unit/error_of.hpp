#pragma once
// The mailer::Error a call throws, for tests that check its code, message and hint.
#include <stdexcept>

#include "mailer/error.hpp"

namespace mailer::test {

template <class F>
Error error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  throw std::runtime_error("expected mailer::Error, nothing was thrown");
}

}  // namespace mailer::test
