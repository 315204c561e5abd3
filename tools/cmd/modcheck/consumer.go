package main

import "errors"

func runConsumer(*env, bool) error { return errors.New("consumer: not written yet") }
