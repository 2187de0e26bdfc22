//! The page's end of the worker: commands out as `{ json, buffer? }`, buffers transferred.
use js_sys::{Array, ArrayBuffer, Object, Reflect};
use vae_protocol::Command;
use wasm_bindgen::JsValue;
use web_sys::Worker;

pub struct WorkerLink {
    worker: Worker,
}

impl WorkerLink {
    /// Starts the worker; the build id on its URL keeps browsers from running a stale one.
    pub fn start() -> Result<Self, JsValue> {
        let url = format!("./worker-loader.js?v={}", env!("VAE_BUILD_ID"));
        Ok(Self { worker: Worker::new(&url)? })
    }

    pub fn worker(&self) -> &Worker {
        &self.worker
    }

    pub fn send(&self, command: &Command) {
        post(&self.worker, command, None);
    }

    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

/// Posts a command; a buffer moves to the worker (it is detached, empty, here afterwards).
pub fn post(worker: &Worker, command: &Command, buffer: Option<&ArrayBuffer>) {
    let message = Object::new();
    let _ = Reflect::set(&message, &"json".into(), &command.to_json().into());
    let result = match buffer {
        Some(buffer) => {
            let _ = Reflect::set(&message, &"buffer".into(), buffer);
            worker.post_message_with_transfer(&message, &Array::of1(buffer))
        }
        None => worker.post_message(&message),
    };
    if let Err(e) = result {
        web_sys::console::error_2(&"postMessage to the worker failed".into(), &e);
    }
}

/// Two buffers one after the other (an images file and its labels file travel as one).
pub fn concat(a: &ArrayBuffer, b: &ArrayBuffer) -> ArrayBuffer {
    let out = js_sys::Uint8Array::new_with_length(a.byte_length() + b.byte_length());
    out.set(&js_sys::Uint8Array::new(a), 0);
    out.set(&js_sys::Uint8Array::new(b), a.byte_length());
    out.buffer()
}
