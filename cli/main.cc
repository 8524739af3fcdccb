// crm-router: routes inbound e-mail into the CRM. See crm-router(1).
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) { return crmr::run_app(argc, argv, std::cout, std::cerr); }
