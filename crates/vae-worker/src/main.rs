//! The Web Worker's entry: wires `Session` to postMessage. Messages arrive as
//! `{ json, buffer? }`; events leave the same way, their buffers transferred, not copied.
#[cfg(target_arch = "wasm32")]
mod glue {
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use std::cell::RefCell;
    use std::rc::Rc;
    use vae_protocol::{Command, Event};
    use vae_worker::session::{Outgoing, Session};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

    struct Worker {
        scope: DedicatedWorkerGlobalScope,
        session: RefCell<Session>,
        /// Posting to this port schedules the next training slice without setTimeout's 4 ms clamp.
        tick: MessageChannel,
        scheduled: RefCell<bool>,
    }

    fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
        scope
            .performance()
            .map(|p| p.now())
            .unwrap_or_else(js_sys::Date::now)
    }

    impl Worker {
        fn post(&self, out: Vec<Outgoing>) {
            for Outgoing { event, buffer } in out {
                let message = Object::new();
                let _ = Reflect::set(&message, &"json".into(), &event.to_json().into());
                let result = match buffer {
                    Some(bytes) => {
                        let array = Uint8Array::from(bytes.as_slice()); // one copy out of wasm memory
                        let _ = Reflect::set(&message, &"buffer".into(), &array.buffer());
                        self.scope
                            .post_message_with_transfer(&message, &Array::of1(&array.buffer()))
                    }
                    None => self.scope.post_message(&message),
                };
                if let Err(e) = result {
                    web_sys::console::error_2(&"vae-worker: postMessage failed".into(), &e);
                }
            }
        }

        fn schedule(&self) {
            if self.session.borrow().wants_tick() && !self.scheduled.replace(true) {
                let _ = self.tick.port2().post_message(&JsValue::NULL);
            }
        }

        fn on_message(&self, e: MessageEvent) {
            let data = e.data();
            let json = Reflect::get(&data, &"json".into())
                .ok()
                .and_then(|j| j.as_string())
                .unwrap_or_default();
            let buffer = Reflect::get(&data, &"buffer".into())
                .ok()
                .filter(|b| b.is_instance_of::<js_sys::ArrayBuffer>())
                .map(|b| Uint8Array::new(&b).to_vec());
            let out = match Command::from_json(&json) {
                Ok(command) => self
                    .session
                    .borrow_mut()
                    .handle(command, buffer, now(&self.scope)),
                Err(message) => vec![Outgoing {
                    event: Event::Error {
                        message,
                        request: None,
                    },
                    buffer: None,
                }],
            };
            self.post(out);
            self.schedule();
        }

        fn on_tick(&self) {
            self.scheduled.replace(false);
            let scope = self.scope.clone();
            let out = self.session.borrow_mut().slice(&move || now(&scope));
            self.post(out);
            self.schedule();
        }
    }

    /// Logs a panic to the console, then tells the page, which starts another worker: the
    /// release build aborts after this hook, and a silent worker would freeze the page.
    fn report_panic(info: &std::panic::PanicHookInfo) {
        console_error_panic_hook::hook(info);
        let message = Object::new();
        let crashed = Event::Crashed {
            message: info.to_string(),
        };
        let _ = Reflect::set(&message, &"json".into(), &crashed.to_json().into());
        if let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() {
            let _ = scope.post_message(&message);
        }
    }

    pub fn start() -> Result<(), JsValue> {
        std::panic::set_hook(Box::new(report_panic));
        let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
        let worker = Rc::new(Worker {
            scope: scope.clone(),
            session: RefCell::default(),
            tick: MessageChannel::new()?,
            scheduled: RefCell::new(false),
        });
        let w = worker.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e| w.on_message(e));
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the worker
        let w = worker.clone();
        let on_tick = Closure::<dyn Fn(MessageEvent)>::new(move |_| w.on_tick());
        worker
            .tick
            .port1()
            .set_onmessage(Some(on_tick.as_ref().unchecked_ref()));
        on_tick.forget();
        worker.post(vec![Outgoing {
            event: Event::Ready,
            buffer: None,
        }]);
        Ok(())
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    if let Err(e) = glue::start() {
        web_sys::console::error_2(&"vae-worker failed to start".into(), &e);
    }
}
