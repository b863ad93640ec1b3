fn main() {
    gst_plugin_version_helper::info();
    // Where `make install` puts the documentation; the plugin's origin and the element's
    // doc-uri point there.
    println!("cargo:rerun-if-env-changed=SHARPMETER_DOCDIR");
    let docdir = std::env::var("SHARPMETER_DOCDIR")
        .unwrap_or_else(|_| "/usr/share/doc/gst-plugin-sharpmeter".into());
    println!("cargo:rustc-env=SHARPMETER_DOC_URI=file://{docdir}/README.md");
}
