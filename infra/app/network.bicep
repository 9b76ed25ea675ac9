// The private network of `vnetEnabled`: a virtual network with one subnet for the function app's
// VNet integration and one for the storage account's private endpoints (blob, queue, table), and
// the private DNS zones that make the account's usual host names resolve to those endpoints inside
// the network. The layout follows Microsoft's azd Flex Consumption quickstarts
// (Azure-Samples/functions-quickstart-typescript-azd, infra/app/vnet.bicep and
// storage-PrivateEndpoint.bicep at cba3922), written without the registry modules.

@description('Azure region of the network and the private endpoints.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Short unique suffix of the resource names.')
param resourceToken string

@description('Name of the storage account (in this resource group) that gets the private endpoints.')
param storageAccountName string

// Address space and subnet sizes as in the quickstart (a /24 for the app). Whether a /24 suits a
// maximumInstanceCount far above the default 100 was not checked; see Microsoft's Flex Consumption
// subnet sizing guidance before raising it with the VNet on.
var addressPrefix = '10.0.0.0/16'
var appSubnetPrefix = '10.0.1.0/24'
var privateEndpointSubnetPrefix = '10.0.2.0/24'
// Storage services the app uses: the Functions host, the lock and Flex deployment packages (blob),
// the Durable task hub (queue, table).
var storageServices = [
  'blob'
  'queue'
  'table'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          // Flex Consumption's VNet integration runs on this delegation (the Microsoft.App resource
          // provider must be registered in the subscription).
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          // The app still calls public endpoints (Application Insights ingestion). Where its
          // outbound traffic goes through this subnet, that needs outbound internet access, which
          // the quickstart gets from Azure's implicit default; Azure is retiring that default for
          // new subnets, so it is asked for explicitly here. A NAT gateway is the lasting choice.
          defaultOutboundAccess: true
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: 'app'
  }

  resource privateEndpointSubnet 'subnets' existing = {
    name: 'private-endpoints'
  }
}

// privatelink.<service>.core.windows.net in the public cloud.
resource dnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for service in storageServices: {
    name: 'privatelink.${service}.${environment().suffixes.storage}'
    location: 'global'
    tags: tags
  }
]

resource dnsZoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (service, i) in storageServices: {
    parent: dnsZones[i]
    name: vnet.name
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for service in storageServices: {
    name: 'pe-${service}-${storage.name}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet::privateEndpointSubnet.id
      }
      privateLinkServiceConnections: [
        {
          name: 'pe-${service}-${storage.name}'
          properties: {
            privateLinkServiceId: storage.id
            groupIds: [
              service
            ]
          }
        }
      ]
    }
  }
]

// The endpoint's A record in its zone, kept up to date by Azure.
resource dnsZoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (service, i) in storageServices: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(dnsZones[i].name, '.', '-')
          properties: {
            privateDnsZoneId: dnsZones[i].id
          }
        }
      ]
    }
  }
]

output appSubnetId string = vnet::appSubnet.id
