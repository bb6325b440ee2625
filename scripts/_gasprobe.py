from brownie import accounts, chain, Marketplace, TestStablecoin
from scripts.deployment import deploy_platform
def main():
    a = accounts
    p = deploy_platform(a[0], treasury=a[1])
    m = p["Marketplace"]
    m.approveSeller(a[3], {"from": a[0]})
    for i in range(3):
        tx = m.list(10**17, "0x"+"0"*40, 10, 0, 0, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", {"from": a[3]})
        print("list", tx.gas_used)
    lid = tx.return_value
    for i in range(3):
        t1 = m.buy(lid, 1, {"from": a[5], "value": 10**17}); oid = t1.return_value
        t2 = m.shipOrder(oid, "DHL-123456789", {"from": a[3]})
        t3 = m.confirmReceipt(oid, {"from": a[5]})
        t4 = m.withdraw("0x"+"0"*40, {"from": a[3]})
        print("buy", t1.gas_used, "ship", t2.gas_used, "confirm", t3.gas_used, "withdraw", t4.gas_used, "total", t1.gas_used+t2.gas_used+t3.gas_used+t4.gas_used)
