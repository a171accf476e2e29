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

configure_file(${PROJECT_SOURCE_DIR}/scripts/cmake/kubeevents.pc.in
  ${PROJECT_BINARY_DIR}/kubeevents.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kubeevents.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
