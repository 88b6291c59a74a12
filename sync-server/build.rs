//! `sqlx::migrate!` embeds the migration files at compile time; rebuild when they change
//! (a new file in the folder is not noticed otherwise).

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
