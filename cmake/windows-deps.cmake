# The libraries of the Windows cross build (scripts/build-windows): static
# libraries it built from Debian's upstream sources in CRMR_WINDOWS_PREFIX,
# zlib from Debian's libz-mingw-w64-dev, and the header-only libraries copied
# from their Debian -dev packages into CRMR_WINDOWS_HEADERS. The targets have
# the names find_package gives on Linux, so nothing else in the tree differs.
if(NOT CRMR_WINDOWS_PREFIX OR NOT CRMR_WINDOWS_HEADERS)
  message(FATAL_ERROR "the Windows build is made by scripts/build-windows "
                      "(CRMR_WINDOWS_PREFIX and CRMR_WINDOWS_HEADERS unset)")
endif()
set(_p ${CRMR_WINDOWS_PREFIX})
enable_language(RC)  # the application manifest (cli/crm-router.rc)

function(crmr_static_lib target file)
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION ${file}
    INTERFACE_INCLUDE_DIRECTORIES ${_p}/include)
endfunction()

set(ZLIB_USE_STATIC_LIBS ON)  # libz.a, not the DLL import library
find_package(ZLIB REQUIRED)  # /usr/x86_64-w64-mingw32 (toolchain find root)
crmr_static_lib(mimetic::mimetic ${_p}/lib/libmimetic.a)
# mimetic's headers use `uint`, which glibc declares and MinGW does not; its
# own libconfig.h declares it for Windows (after MinGW's __int16 etc. from
# cstddef) but not every header includes it.
set_target_properties(mimetic::mimetic PROPERTIES
  INTERFACE_COMPILE_OPTIONS "SHELL:-include cstddef;SHELL:-include mimetic/libconfig.h")
crmr_static_lib(SQLite::SQLite3 ${_p}/lib/libsqlite3.a)
crmr_static_lib(CURL::libcurl ${_p}/lib/libcurl.a)
set_target_properties(CURL::libcurl PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB
  INTERFACE_LINK_LIBRARIES "ZLIB::ZLIB;ws2_32;crypt32;secur32;bcrypt;advapi32")

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)

foreach(t CLI11::CLI11 nlohmann_json::nlohmann_json tomlplusplus::tomlplusplus spdlog::spdlog)
  add_library(${t} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${t} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${CRMR_WINDOWS_HEADERS})
endforeach()
# spdlog and fmt from headers only (Debian's spdlog uses an external fmt).
set_target_properties(spdlog::spdlog PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY;SPDLOG_FMT_EXTERNAL"
  INTERFACE_LINK_LIBRARIES advapi32)

if(CRMR_BUILD_TESTS)
  crmr_static_lib(GTest::gtest ${_p}/lib/libgtest.a)
  crmr_static_lib(GTest::gtest_main ${_p}/lib/libgtest_main.a)
  crmr_static_lib(GTest::gmock ${_p}/lib/libgmock.a)
  set_target_properties(GTest::gtest PROPERTIES INTERFACE_LINK_LIBRARIES Threads::Threads)
  set_target_properties(GTest::gtest_main PROPERTIES INTERFACE_LINK_LIBRARIES GTest::gtest)
endif()

# One static executable: no DLLs beside it (libstdc++, libgcc, winpthread).
add_link_options(-static -static-libgcc -static-libstdc++)
# Windows 10 API level (GetTickCount64, WSAPoll, the UTF-8 code page).
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 UNICODE _UNICODE NOMINMAX
                        WIN32_LEAN_AND_MEAN)
