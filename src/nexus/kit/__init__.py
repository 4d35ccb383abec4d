"""Toolkit with no business logic: database, repositories, errors, security, jobs…"""
