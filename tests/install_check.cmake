# Installs the build into a scratch prefix and checks that the binary and both
# man pages are there and that the installed binary runs.
#   cmake -DBUILD_DIR=... -DPREFIX=... -P install_check.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/crm-router share/man/man1/crm-router.1 share/man/man5/crm-router.conf.5)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
execute_process(COMMAND "${PREFIX}/bin/crm-router" --version
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^crm-router ")
  message(FATAL_ERROR "installed crm-router --version: ${rc} ${out}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
message(STATUS "installed and ran: ${out}")
