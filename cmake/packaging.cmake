# Installation layout beyond the binary and the man pages, and the Debian
# package (CPack, generator DEB). Included once from the top-level CMakeLists.
#   cmake --install build [--prefix P]    binary, man pages, examples, systemd units
#   scripts/package                        build/crm-router_VERSION_ARCH.deb
# Layout (Debian policy, prefix /usr in the package):
#   bin/crm-router
#   share/man/man1/crm-router.1, share/man/man5/crm-router.conf.5
#   share/doc/crm-router/examples/   crm-router.toml.sample, cron.example,
#                                    crm-router-task.xml (Windows Task Scheduler)
#   lib/systemd/system/              crm-router.service, crm-router.timer, and the
#                                    templates crm-router@.service, crm-router@.timer
#                                    (one instance per configuration)

set(CRMR_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "Where the systemd units go, relative to the install prefix")

install(FILES
          scripts/crm-router.toml.sample
          scripts/cron.example
          scripts/crm-router-task.xml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# scripts/crm-router.service names /usr/bin/crm-router; the installed copy names
# the binary under the prefix actually installed to (decided at install time:
# `cmake --install --prefix` and CPack's /usr both apply).
foreach(crmr_unit_name crm-router.service crm-router@.service)
  install(CODE "
    file(READ \"${PROJECT_SOURCE_DIR}/scripts/${crmr_unit_name}\" crmr_unit)
    string(REPLACE \"ExecStart=/usr/bin/crm-router \"
                   \"ExecStart=\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/crm-router \"
                   crmr_unit \"\${crmr_unit}\")
    file(WRITE \"${PROJECT_BINARY_DIR}/${crmr_unit_name}\" \"\${crmr_unit}\")
  ")
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/crm-router.service scripts/crm-router.timer
              ${PROJECT_BINARY_DIR}/crm-router@.service scripts/crm-router@.timer
        DESTINATION ${CRMR_SYSTEMD_UNITDIR})

# --- the Debian package
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME crm-router)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "crm-router maintainers")
set(CPACK_PACKAGE_CONTACT "crm-router maintainers <maintainers@users.noreply.r-seed-07f2d882.example>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# The control file's Description: the summary line above, then this text.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "crm-router reads a batch of mail (archives, IMAP, POP3), decides per message
against a local cache of CRM records whether and where it belongs in the CRM,
queues accepted mail, pushes it over the Dataverse Web API and writes a
report that gives the reason for every decision. Runs from cron or the
systemd timer it ships (not enabled on install).")
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Library dependencies come from dpkg-shlibdeps (package dpkg-dev) on the
# binary; adduser is for the postinst that creates the crm-router system user.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${PROJECT_SOURCE_DIR}/cmake/debian/postinst")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
include(CPack)
