#pragma once
// The records a user owns (SPEC §1, §2), one header per module, gathered so that the files that
// include this one compile unchanged until they name the headers they use.
#include "mailer/core/client_import.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/core/groups.hpp"
#include "mailer/core/mailings.hpp"
#include "mailer/core/messages.hpp"
#include "mailer/core/schedule.hpp"
