# The installed layout — `cmake --install` and the Debian package `cpack -G DEB` builds from it.
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for Debian's layout:
#   /usr/sbin            the services (ocop-registration, ocop-evaluation, ocop-promotion,
#                        ocop-audit, ocop-gateway)
#   /usr/bin             ocopctl, ocop-audit-verify
#   /usr/share/ocop      rule data (registration, evaluation, promotion) and the dashboard (web)
#   /usr/share/doc/ocop  the operations guide
#   /etc/ocop/ocop.json  the deployment config (a conffile); postinst adds keys/ and tokens.json
#   /var/lib/ocop/NAME   each service's store (systemd's StateDirectory=)
#   /usr/lib/systemd/system  ocop.target, a unit per service, ocop-evaluation@.service per shard
# The config and units name these paths, so they follow the prefix they were configured with.
set(OCOP_SBIN "${CMAKE_INSTALL_FULL_SBINDIR}")
set(OCOP_BIN "${CMAKE_INSTALL_FULL_BINDIR}")
set(OCOP_DATA "${CMAKE_INSTALL_FULL_DATADIR}/ocop")
set(OCOP_DOC "${CMAKE_INSTALL_FULL_DOCDIR}")
set(OCOP_SYSCONF "${CMAKE_INSTALL_FULL_SYSCONFDIR}/ocop")
set(OCOP_STATE "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/ocop")
set(OCOP_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
file(READ "${PROJECT_SOURCE_DIR}/deploy/systemd/hardening.inc" OCOP_HARDENING)
string(STRIP "${OCOP_HARDENING}" OCOP_HARDENING)

set(ocop_package_out "${PROJECT_BINARY_DIR}/package")
set(ocop_units ocop.target ocop-registration.service ocop-evaluation@.service ocop-promotion.service
               ocop-audit.service ocop-gateway.service)
foreach(unit IN LISTS ocop_units)
  configure_file("${PROJECT_SOURCE_DIR}/deploy/systemd/${unit}.in" "${ocop_package_out}/systemd/${unit}" @ONLY)
  install(FILES "${ocop_package_out}/systemd/${unit}" DESTINATION "${OCOP_UNIT_DIR}")
endforeach()
configure_file("${PROJECT_SOURCE_DIR}/deploy/package/ocop.json.in" "${ocop_package_out}/ocop.json" @ONLY)
foreach(script postinst prerm postrm)
  configure_file("${PROJECT_SOURCE_DIR}/deploy/package/${script}.in" "${ocop_package_out}/debian/${script}" @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
                                  WORLD_EXECUTE)
endforeach()
file(WRITE "${ocop_package_out}/debian/conffiles" "${OCOP_SYSCONF}/ocop.json\n")

install(TARGETS ocop-registration ocop-evaluation ocop-promotion ocop-audit ocop-gateway
        RUNTIME DESTINATION "${CMAKE_INSTALL_SBINDIR}")
install(TARGETS ocopctl ocop-audit-verify RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
foreach(service registration evaluation promotion)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/services/${service}/data/" DESTINATION "${OCOP_DATA}/${service}")
endforeach()
install(DIRECTORY "${PROJECT_SOURCE_DIR}/web/" DESTINATION "${OCOP_DATA}/web")
install(FILES "${PROJECT_SOURCE_DIR}/docs/operations.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${ocop_package_out}/ocop.json" DESTINATION "${OCOP_SYSCONF}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ocop)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "OCOP maintainers <ocop@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OCOP programme services: registration, evaluation, trade promotion, audit")
set(CPACK_PACKAGE_DESCRIPTION "Registration of producers and products, council evaluation against the national \
score sheets, trade promotion and an independent signed audit log, with an HTTP/JSON gateway and dashboard.")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${ocop_package_out}/debian/postinst;${ocop_package_out}/debian/prerm;${ocop_package_out}/debian/postrm;${ocop_package_out}/debian/conffiles")
set(CPACK_OUTPUT_FILE_PREFIX "${ocop_package_out}")
include(CPack)
