//! tornado-util
