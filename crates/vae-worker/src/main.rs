//! The Web Worker's entry. Messages arrive as `{ json, buffer? }`; events leave the same way,
//! their buffers transferred, not copied. The same wasm runs the training worker (glue.rs) and,
//! started by it with `role=helper`, its helpers of data-parallel training (glue_helper.rs).
#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
mod glue_helper;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        let helper = glue::location_search().contains("role=helper");
        let started = if helper {
            glue_helper::start()
        } else {
            glue::start()
        };
        if let Err(e) = started {
            web_sys::console::error_2(&"vae-worker failed to start".into(), &e);
        }
    }
}
