package mototest

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/pkg/memon"
)

// CreateTokenTable creates the ping tokens table (hash TokenHash) the stack
// adds with httpPings=true.
func (s *Server) CreateTokenTable(ctx context.Context, name string) error {
	db := dynamodb.NewFromConfig(s.Config(ctx))
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: dtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dtypes.AttributeDefinition{{
			AttributeName: aws.String(memon.AttrTokenHash), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema: []dtypes.KeySchemaElement{{AttributeName: aws.String(memon.AttrTokenHash), KeyType: dtypes.KeyTypeHash}},
	})
	if err != nil {
		return fmt.Errorf("create token table %s: %w", name, err)
	}
	return nil
}
