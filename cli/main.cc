// crm-router: routes inbound e-mail into the CRM. See crm-router(1).
#include <iostream>

#include "cli/app.h"
#include "cli/platform.h"

int main(int argc, char** argv) {
  // Mail, reports, logs and the database are private to the account that runs us.
  crmr::platform::make_new_files_private();
  return crmr::run_app(argc, argv, std::cout, std::cerr);
}
