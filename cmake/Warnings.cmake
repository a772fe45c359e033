# Warning and hardening flags (style.md B7) on an interface target that
# every sigil target links privately.
add_library(sg_warnings INTERFACE)
target_compile_options(sg_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wstrict-prototypes -Wold-style-definition -Wmissing-prototypes
  -Wmissing-declarations -Wpointer-arith -Wcast-qual -Wwrite-strings
  -Wundef -Wvla -Wformat=2 -Wredundant-decls -Wnested-externs
  -Wimplicit-fallthrough -Werror=implicit-function-declaration)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  target_compile_options(sg_warnings INTERFACE
    -Wcast-align=strict -Wduplicated-cond -Wduplicated-branches
    -Wlogical-op -Wjump-misses-init)
elseif(CMAKE_C_COMPILER_ID MATCHES "Clang")
  target_compile_options(sg_warnings INTERFACE
    -Wcomma -Wunreachable-code -Wloop-analysis
    -Wconditional-uninitialized -Wmissing-variable-declarations)
endif()
if(SG_WERROR)
  target_compile_options(sg_warnings INTERFACE -Werror)
endif()

if(SG_SANITIZE)
  add_compile_options(-O1 -g -fsanitize=address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SG_FUZZ)
  add_compile_options(-g -fsanitize=address,undefined,fuzzer-no-link
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SG_HARDEN)
  add_compile_options(-D_FORTIFY_SOURCE=3 -fstack-protector-strong
    -fstack-clash-protection -fcf-protection=full -fPIE)
  add_link_options(-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()
