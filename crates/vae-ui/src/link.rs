//! The page's end of the worker: commands out as `{ json, buffer? }`, buffers transferred.
use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect};
use vae_protocol::Command;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Worker;

pub struct WorkerLink {
    worker: Worker,
}

/// The page's boot script (www/boot.js), which starts the first worker and the downloads before
/// this wasm has loaded, and knows the worker's URL.
fn boot() -> Result<Object, JsValue> {
    let boot = Reflect::get(&js_sys::global(), &"vaeBoot".into())?;
    boot.dyn_into::<Object>()
        .map_err(|_| JsValue::from_str("the page's boot.js did not run"))
}

fn call(name: &str) -> Result<JsValue, JsValue> {
    let boot = boot()?;
    Reflect::get(&boot, &name.into())?
        .dyn_into::<Function>()?
        .call0(&boot)
}

impl WorkerLink {
    /// The worker boot.js started with the page, and its downloads [images, labels, weights].
    /// The page takes them once, at its start.
    pub fn first() -> Result<(Self, [Promise; 3]), JsValue> {
        let first = call("take")?;
        let worker = Reflect::get(&first, &"worker".into())?.dyn_into::<Worker>()?;
        let downloads: Array = Reflect::get(&first, &"downloads".into())?.dyn_into()?;
        let download = |i| downloads.get(i).dyn_into::<Promise>();
        Ok((Self { worker }, [download(0)?, download(1)?, download(2)?]))
    }

    /// A new worker (when one died).
    pub fn start() -> Result<Self, JsValue> {
        Ok(Self { worker: call("startWorker")?.dyn_into()? })
    }

    /// Once the page listens to the first worker: what it said before, said again.
    pub fn replay_early() {
        if let Err(e) = call("replay") {
            web_sys::console::error_2(&"the worker's first messages were lost".into(), &e);
        }
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
