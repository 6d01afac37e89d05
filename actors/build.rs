fn main() {
    // Embedded migrations: rebuild when a migration folder is added or changed.
    println!("cargo:rerun-if-changed=../migrations");
}
