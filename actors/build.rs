fn main() {
    // Embedded migrations: rebuild when a migration folder is added or changed — the
    // kernel's and each feature's (`embed_migrations!` sees a new folder only when the
    // crate is compiled again).
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=src/shifts/migrations");
    println!("cargo:rerun-if-changed=src/tickets/migrations");
}
