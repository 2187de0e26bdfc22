//! What every panel shares: the worker link (replaced when a worker dies), the model generation
//! the page shows, fresh request ids, and a way to say "the open views changed" (the App then
//! tells the worker).
use crate::link::WorkerLink;
use std::cell::{Cell, RefCell};
use vae_protocol::Command;

pub struct Ctx {
    link: RefCell<WorkerLink>,
    /// The worker has said Ready: before that, a message would reach no handler and be lost.
    ready: Cell<bool>,
    generation: Cell<u32>,
    next_request: Cell<u32>,
    on_views_changed: RefCell<Option<Box<dyn Fn()>>>,
}

impl Ctx {
    pub fn new(link: WorkerLink) -> Self {
        Self { link: RefCell::new(link), ready: Cell::new(false), generation: Cell::new(0), next_request: Cell::new(1), on_views_changed: RefCell::new(None) }
    }

    /// Sends a command; before the worker is ready there is nobody to hear it, and the page
    /// sends its whole state at Ready anyway.
    pub fn send(&self, command: &Command) {
        if self.ready.get() {
            self.link.borrow().send(command);
        }
    }

    /// The worker, for posting a command with a buffer or listening to it.
    pub fn worker(&self) -> web_sys::Worker {
        self.link.borrow().worker().clone()
    }

    pub fn set_ready(&self) {
        self.ready.set(true);
    }

    /// A new worker in place of one that died: nothing is sent until it says Ready, and its
    /// first model starts a new generation whatever number it carries.
    pub fn replace_link(&self, link: WorkerLink) {
        self.link.replace(link).terminate();
        self.ready.set(false);
        self.generation.set(0);
    }

    pub fn terminate(&self) {
        self.link.borrow().terminate();
    }

    /// The generation of the model the page shows; requests name it.
    pub fn generation(&self) -> u32 {
        self.generation.get()
    }

    pub fn set_generation(&self, g: u32) {
        self.generation.set(g);
    }

    /// A request id no earlier request of this page used.
    pub fn request(&self) -> u32 {
        let r = self.next_request.get();
        self.next_request.set(r.wrapping_add(1).max(1));
        r
    }

    pub fn set_views_listener(&self, f: impl Fn() + 'static) {
        *self.on_views_changed.borrow_mut() = Some(Box::new(f));
    }

    /// A panel's choice changed what the worker should compute.
    pub fn views_changed(&self) {
        if let Some(f) = self.on_views_changed.borrow().as_ref() {
            f();
        }
    }
}
