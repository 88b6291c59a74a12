fn main() {
    dialbook_pwa::start();
}
