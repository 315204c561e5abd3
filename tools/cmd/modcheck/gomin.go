package main

import "errors"

func runGoMin(*env) error { return errors.New("gomin: not written yet") }
