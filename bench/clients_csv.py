#!/usr/bin/python3
"""Writes the benches' client list: N Cyrillic-named clients over 97 domains, as a CSV.

    clients_csv.py PATH N [--comment]    (--comment adds a third column, "заказ i")
"""
import sys

path, n = sys.argv[1], int(sys.argv[2])
comment = "--comment" in sys.argv[3:]
with open(path, "w", encoding="utf-8") as f:
    f.write("email,name,comment\n" if comment else "email,name\n")
    for i in range(n):
        row = f"client{i}@shop{i % 97}.example.ru,Покупатель {i}"
        f.write(row + (f",заказ {i}\n" if comment else "\n"))
