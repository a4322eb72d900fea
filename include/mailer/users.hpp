#pragma once
// Users: accounts, sessions and their secrets, the three modules' headers in one include.
#include "mailer/accounts.hpp"
#include "mailer/secrets.hpp"
#include "mailer/sessions.hpp"
