//! The worker's logic, free of browser types so it is tested natively; `main.rs` is the glue.
pub mod helper;
pub mod lab;
pub mod session;
pub mod team;
pub mod uses;
pub mod views;
