import unittest

import my_study


class PackageTest(unittest.TestCase):
    def test_framework(self):
        self.assertEqual(my_study.FRAMEWORK, "pytorch")
