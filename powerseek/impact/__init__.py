"""Impact: how much an agent changes its world, and how much of that to allow.

The impact level (``_partition``): for plans with a utility and an impact, which
plan an agent picks at each impact budget, exactly, and the buffer between the
first satisfactory plan and the first catastrophe (Turner, "How Low Should Fruit
Hang Before We Pick It?", 2020).
"""

from __future__ import annotations

from ._partition import KINDS, Buffer, Partition, partition

__all__ = ["KINDS", "Buffer", "Partition", "partition"]
