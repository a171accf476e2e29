# Install rules: headers under include/kubeevents/, the static library (and, with
# KUBEEVENTS_BUILD_SHARED, a shared one built from the same objects), a CMake package
# exporting kubeevents::kubeevents, and kubeevents.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KUBEEVENTS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/kubeevents"
    CACHE STRING "Where kubeeventsConfig.cmake is installed")

set(_kubeevents_targets kubeevents)
if(KUBEEVENTS_BUILD_SHARED AND NOT BUILD_SHARED_LIBS)
  add_library(kubeevents_shared SHARED $<TARGET_OBJECTS:kubeevents>)
  add_library(kubeevents::kubeevents_shared ALIAS kubeevents_shared)
  set_target_properties(kubeevents_shared PROPERTIES
    OUTPUT_NAME kubeevents
    EXPORT_NAME kubeevents_shared
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_compile_features(kubeevents_shared PUBLIC cxx_std_20)
  target_include_directories(kubeevents_shared PUBLIC
    $<BUILD_INTERFACE:${KUBEEVENTS_BUILD_INCLUDE_DIR}> $<INSTALL_INTERFACE:include>)
  target_link_libraries(kubeevents_shared
    PUBLIC Threads::Threads
    PRIVATE OpenSSL::SSL OpenSSL::Crypto yaml-cpp)
  list(APPEND _kubeevents_targets kubeevents_shared)
endif()

install(TARGETS ${_kubeevents_targets} EXPORT kubeeventsTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Public headers only: internal/ directories and the local API server stay private.
foreach(dir api watch tools client)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kubeevents/${dir}
    FILES_MATCHING PATTERN "*.h"
    PATTERN "internal" EXCLUDE
    PATTERN "localapiserver" EXCLUDE)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kubeevents)

install(EXPORT kubeeventsTargets
  NAMESPACE kubeevents::
  DESTINATION ${KUBEEVENTS_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/scripts/cmake/kubeeventsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/kubeeventsConfig.cmake
  INSTALL_DESTINATION ${KUBEEVENTS_INSTALL_CMAKEDIR})
# 0.x: minor versions may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kubeeventsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kubeeventsConfig.cmake
  ${PROJECT_BINARY_DIR}/kubeeventsConfigVersion.cmake
  DESTINATION ${KUBEEVENTS_INSTALL_CMAKEDIR})

# kubeevents.pc: the prefix is found from the file's own place (${pcfiledir}) when the
# install directories are relative, so an install made with `cmake --install --prefix DIR`
# (or a moved tree) is found through PKG_CONFIG_PATH=DIR/lib/pkgconfig. When only the static
# library is installed, plain `pkg-config --libs` must name its dependencies too.
set(_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(KUBEEVENTS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(KUBEEVENTS_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(KUBEEVENTS_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH _pc_up "/root/${_pc_dir}" "/root")
  string(REGEX REPLACE "/$" "" _pc_up "${_pc_up}")
  set(KUBEEVENTS_PC_PREFIX "\${pcfiledir}/${_pc_up}")
  set(KUBEEVENTS_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(KUBEEVENTS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(KUBEEVENTS_BUILD_SHARED OR BUILD_SHARED_LIBS)
  set(KUBEEVENTS_PC_REQUIRES "Requires.private: openssl yaml-cpp\nLibs.private: -pthread")
  set(KUBEEVENTS_PC_LIBS "")
else()
  set(KUBEEVENTS_PC_REQUIRES "Requires: openssl yaml-cpp")
  set(KUBEEVENTS_PC_LIBS " -pthread")
endif()
configure_file(${PROJECT_SOURCE_DIR}/scripts/cmake/kubeevents.pc.in
  ${PROJECT_BINARY_DIR}/kubeevents.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kubeevents.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The local events-only API server program (docs/localapiserver.md): the bundled target for
# trying a program and kubectl without a cluster. Its C++ API stays in-tree (tests, demo).
install(TARGETS kube-local-apiserver RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
