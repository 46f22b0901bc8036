fn main() {
    stitch::ui::start();
}
