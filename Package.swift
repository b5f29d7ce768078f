// swift-tools-version:6.0
import PackageDescription

// Folio builds on Linux with glibc (Debian 12 here): it calls glibc directly and links the
// system's liblua5.4, PCRE2 and zlib, so no Apple platform is declared.
let package = Package(
  name: "Folio",
  products: [
    .executable(name: "folio", targets: ["folio"])
  ],
  dependencies: [
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"])]
    ),
    .systemLibrary(
      name: "CLua",
      pkgConfig: "lua5.4",
      providers: [.apt(["liblua5.4-dev"])]
    ),
    // DWARF 4: valgrind 3.19 (Debian 12), which Scripts/test runs, misreads clang's DWARF 5 here.
    .target(
      name: "CLuaShim", dependencies: ["CLua"],
      cSettings: [.unsafeFlags(["-gdwarf-4"])]),
    // FolioLua's token views in C, over CLuaShim's per-VM state.
    .target(
      name: "CFolioTokens", dependencies: ["CLua", "CLuaShim"],
      cSettings: [.unsafeFlags(["-gdwarf-4"])]),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .target(name: "CFolioSupport"),
    .target(
      name: "FolioCore", dependencies: ["CFolioSupport", "CPCRE2", "CZlib"],
      exclude: ["Query/README.md", "Index/README.md"]),
    .target(
      name: "FolioEngine",
      dependencies: ["FolioCore", "FolioLua", "LuaRuntime", "TOMLKit"],
      resources: [.embedInCode("Lua/test_prelude.lua")]),
    .target(
      name: "FolioLua", dependencies: ["CFolioTokens", "FolioCore", "LuaRuntime"],
      resources: [
        .embedInCode("Lua/corpus_methods.lua"), .embedInCode("Lua/list.lua"),
        .embedInCode("Lua/regex_methods.lua"), .embedInCode("Lua/regex_module.lua"),
        .embedInCode("Lua/table.lua"), .embedInCode("Lua/table_methods.lua"),
      ]),
    .target(
      name: "FolioREPL",
      dependencies: ["FolioCore", "FolioEngine", "FolioLua", "LuaRuntime"],
      resources: [.embedInCode("Lua/prelude.lua")]),
    .target(name: "LuaRuntime", dependencies: ["CLua", "CLuaShim"]),
    .executableTarget(
      name: "folio",
      dependencies: [
        "FolioCore", "FolioEngine", "FolioLua", "FolioREPL", "LuaRuntime",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "folio-bridge-check", dependencies: ["FolioCore", "FolioLua", "LuaRuntime"]),
    // Built only by Scripts/fuzz, with -sanitize=fuzzer (libFuzzer supplies main).
    .executableTarget(
      name: "folio-fuzz", dependencies: ["FolioCore"],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    .testTarget(
      name: "FolioCLITests", dependencies: ["FolioCore", "folio"],
      exclude: ["transcripts", "golden", "plugins"]),
    .testTarget(name: "FolioCoreTests", dependencies: ["FolioCore"]),
    .testTarget(name: "FolioEngineTests", dependencies: ["FolioEngine", "FolioLua", "FolioCore"]),
    .testTarget(
      name: "FolioREPLTests",
      dependencies: ["FolioREPL", "FolioEngine", "FolioLua", "FolioCore", "LuaRuntime"]),
    .testTarget(
      name: "FolioLuaTests", dependencies: ["FolioLua", "FolioCore", "LuaRuntime", "CFolioTokens"]),
    .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime", "CLuaShim"]),
  ],
  swiftLanguageModes: [.v6]
)
