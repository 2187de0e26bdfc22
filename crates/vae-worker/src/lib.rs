//! The worker's logic, free of browser types so it is tested natively; `main.rs` is the glue.
pub mod lab;
pub mod session;
pub mod uses;
pub mod views;
