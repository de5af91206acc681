//! The API's tests, in one binary: each starts the router in-process on 127.0.0.1:0 over an
//! index in a temporary directory, and talks to it with hyper's client.

mod common;

mod bad_input;
mod concurrency;
mod openapi;
mod round_trip;
mod shutdown;
