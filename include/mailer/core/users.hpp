#pragma once
// Users: accounts, sessions and their secrets, the three modules' headers in one include.
#include "mailer/core/accounts.hpp"
#include "mailer/core/secrets.hpp"
#include "mailer/core/sessions.hpp"
